import { Writable } from 'node:stream';
import winston from 'winston';
import { createLogger, type Logger } from '../kit/logging/logger';

/** A JSON logger whose lines are kept in `lines` (one string each) instead of printed. */
export function capturingLogger(service: string, level = 'debug'): { lines: string[]; logger: Logger } {
  const lines: string[] = [];
  const logger = createLogger({ service, level, format: 'json' });
  logger.clear();
  logger.add(
    new winston.transports.Stream({
      stream: new Writable({
        write: (chunk, _encoding, done) => {
          lines.push(String(chunk));
          done();
        },
      }),
    }),
  );
  return { lines, logger };
}
