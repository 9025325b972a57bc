import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { AppError, NotFoundError, ServiceUnavailableError, ValidationError } from '../errors/app-errors';
import type { Logger } from '../logging/logger';
import { isDatabaseUnavailable } from '../database/errors';
import { REQUEST_ID_HEADER } from './request-id';
import { issueDetails } from './validate';

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** body-parser marks its own failures with a `type`; they are the client's fault, not ours. */
function fromBodyParser(error: unknown): AppError | undefined {
  if (!error || typeof error !== 'object' || !('type' in error)) return undefined;
  switch ((error as { type: unknown }).type) {
    case 'entity.parse.failed':
      return new AppError(400, 'MALFORMED_JSON', 'The request body is not valid JSON');
    case 'entity.too.large':
      return new AppError(413, 'PAYLOAD_TOO_LARGE', 'The request body is too large');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError(415, 'UNSUPPORTED_ENCODING', 'The request body encoding is not supported');
    case 'request.aborted':
      return new AppError(400, 'REQUEST_ABORTED', 'The request was aborted');
    default:
      return undefined;
  }
}

/**
 * What Express and body-parser raise for a request they cannot read at all: a path parameter that
 * is not percent-encoding (a URIError) or a body that is not in its declared Content-Encoding
 * (zlib's Z_* errors). Both carry status 400 but no `type`.
 */
function fromUnreadableRequest(error: unknown): AppError | undefined {
  if (!error || typeof error !== 'object' || (error as { status?: unknown }).status !== 400) return undefined;
  if (error instanceof URIError) return new AppError(400, 'MALFORMED_PATH', 'The request path is not valid percent-encoding');
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('Z_')) return new AppError(400, 'MALFORMED_BODY', 'The request body is not in its declared Content-Encoding');
  return undefined;
}

export function toAppError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  if (error instanceof ZodError) {
    return new ValidationError('The request is not valid', issueDetails(error));
  }
  const fromParser = fromBodyParser(error) ?? fromUnreadableRequest(error);
  if (fromParser) return fromParser;
  if (isDatabaseUnavailable(error)) return new ServiceUnavailableError('The database is unavailable; try again shortly', 'DATABASE_UNAVAILABLE');
  return undefined;
}

export function errorBody(error: AppError): ErrorBody {
  const body: ErrorBody = { error: { code: error.code, message: error.message } };
  if (error.details !== undefined) body.error.details = error.details;
  return body;
}

/** Unknown routes: the same JSON error shape as everything else. */
export function notFoundHandler(): RequestHandler {
  return (req, _res, next) => next(new NotFoundError(`No route for ${req.method} ${req.path}`, 'ROUTE_NOT_FOUND'));
}

/**
 * The one place where errors become responses: expected errors keep their status and code;
 * anything else is logged with its details and answered with a generic 500, so that no stack trace,
 * driver message or secret ever reaches a client.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    const known = toAppError(error);
    // Named here too: not every process serves its requests inside the request's async context.
    const requestId = req.headers[REQUEST_ID_HEADER];
    if (known) {
      const log = known.status >= 500 ? logger.warn.bind(logger) : logger.debug.bind(logger);
      log('request failed', { method: req.method, path: req.path, status: known.status, code: known.code, requestId });
      res.status(known.status).json(errorBody(known));
      return;
    }
    logger.error('unexpected error', { method: req.method, path: req.path, error, requestId });
    res.status(500).json({ error: { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side' } });
  };
}
