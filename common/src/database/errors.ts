// What database errors mean, by their names and codes only: no driver is loaded for this (the
// gateway's error handler uses it without a database).

const UNAVAILABLE_ERRORS = new Set([
  'MongoServerSelectionError',
  'MongoNotConnectedError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
]);

/** True for errors that mean "the database is away", which become 503 rather than 500. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (UNAVAILABLE_ERRORS.has(error.name)) return true;
  return /buffering timed out|connection .* closed|client must be connected/i.test(error.message);
}

/** E11000: a write met a unique index, the atomic race-breaker. */
export function isDuplicateKeyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && (error as { code: unknown }).code === 11000;
}
