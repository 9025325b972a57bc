// What database errors mean, by their names and codes only: no driver is loaded for this (the
// gateway's error handler uses it without a database).

const UNAVAILABLE_ERRORS = new Set([
  'MongoServerSelectionError',
  'MongoNotConnectedError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  // The pool cleared by the server monitor: requests already waiting for a connection get this one.
  'PoolClearedOnNetworkError',
  'MongoServerClosedError',
]);

/**
 * Socket errors the driver lets through unwrapped when the server dropped a pooled connection
 * (a restart): writing a command to it fails with EPIPE ("This socket has been ended by the other
 * party") before the driver knows the connection is gone.
 */
const SOCKET_ERROR_CODES = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT']);

/** True for errors that mean "the database is away", which become 503 rather than 500. */
export function isDatabaseUnavailable(error: unknown): boolean {
  // By shape, not instanceof: Node's own socket errors may come from another realm (jest's, say).
  if (typeof error !== 'object' || error === null) return false;
  const { name, message, code } = error as { name?: unknown; message?: unknown; code?: unknown };
  if (typeof name === 'string' && UNAVAILABLE_ERRORS.has(name)) return true;
  if (typeof code === 'string' && SOCKET_ERROR_CODES.has(code)) return true;
  return typeof message === 'string' && /buffering timed out|connection .* closed|client must be connected/i.test(message);
}

/** E11000: a write met a unique index, the atomic race-breaker. */
export function isDuplicateKeyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && (error as { code: unknown }).code === 11000;
}
