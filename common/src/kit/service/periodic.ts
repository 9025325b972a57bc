import type { Logger } from '../logging/logger';

/**
 * Runs a catch-up task now and then every `everyMs` (not keeping the process alive), logging
 * when it found work: the sign that a crash had interrupted something.
 */
export function startPeriodic(name: string, task: () => Promise<number>, everyMs: number, logger: Logger): void {
  const run = (): void => {
    task().then(
      (count) => {
        if (count > 0) logger.warn(`${name}: caught up`, { count });
      },
      (error: unknown) => logger.warn(`${name} failed`, { error: error instanceof Error ? error.message : String(error) }),
    );
  };
  run();
  setInterval(run, everyMs).unref();
}
