/** An apply that did not settle in time: its messages go back to the queue, like when the database is away. */
export class ApplyTimeoutError extends Error {
  constructor(ms: number) {
    super(`not settled within ${ms} ms`);
  }
}

/**
 * The work's outcome, or an ApplyTimeoutError once `ms` have passed. The work may still finish
 * afterwards; that is safe because every effect is atomic and idempotent (another instance may
 * apply the same event at the same time anyway).
 */
export async function within<T>(ms: number, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new ApplyTimeoutError(ms)), ms)));
  try {
    return await Promise.race([work(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
