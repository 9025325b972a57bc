import winston from 'winston';
import { registerAccessLog } from './access-log';
import { currentRequestId } from './request-context';
import { redact, redactText } from './redact';

export type Logger = winston.Logger;

// Winston keeps its own keys (level, message) as symbols too; copy only the string keys.
const RESERVED = new Set(['level', 'message', 'service', 'requestId', 'timestamp']);

const withRequestIdAndRedaction = winston.format((info) => {
  const requestId = currentRequestId();
  if (requestId && !info.requestId) info.requestId = requestId;
  if (typeof info.message === 'string') info.message = redactText(info.message);
  for (const key of Object.keys(info)) {
    if (!RESERVED.has(key)) info[key] = (redact({ [key]: info[key] }) as Record<string, unknown>)[key];
  }
  return info;
});

export interface LoggerOptions {
  service: string;
  level?: string;
  /** JSON lines (production, containers) or readable lines (a developer's terminal). */
  format?: 'json' | 'pretty';
  silent?: boolean;
}

export function createLogger({ service, level = 'info', format = 'json', silent = false }: LoggerOptions): Logger {
  const output =
    format === 'json'
      ? winston.format.json()
      : winston.format.printf(({ level: lvl, message, timestamp, requestId, service: svc, ...rest }) => {
          const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
          const id = requestId ? ` [${String(requestId)}]` : '';
          return `${String(timestamp)} ${String(svc)} ${lvl}${id}: ${String(message)}${extra}`;
        });
  const logger = winston.createLogger({
    level,
    silent,
    defaultMeta: { service },
    format: winston.format.combine(withRequestIdAndRedaction(), winston.format.errors({ stack: true }), winston.format.timestamp(), output),
    transports: [new winston.transports.Console()],
  });
  registerAccessLog(logger, { service, format });
  return logger;
}

/** The format a service logs in: readable in development, JSON lines elsewhere (or as LOG_FORMAT says). */
export function logFormatFor(nodeEnv: string): 'json' | 'pretty' {
  const chosen = process.env.LOG_FORMAT;
  if (chosen === 'json' || chosen === 'pretty') return chosen;
  return nodeEnv === 'development' ? 'pretty' : 'json';
}
