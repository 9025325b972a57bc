import mongoose, { type Connection, type Model } from 'mongoose';
import type { Logger } from '../logging/logger';

// Filters built from request input can never carry query operators ({"$gt": ""}): mongoose wraps
// them in $eq. Repositories mark their own operators with mongoose.trusted().
mongoose.set('sanitizeFilter', true);
mongoose.set('strictQuery', true);

export interface DatabaseOptions {
  url: string;
  dbName: string;
  logger: Logger;
  /** How long an operation waits for a server before failing (and becoming a 503). */
  serverSelectionTimeoutMS?: number;
}

/**
 * Opens this service's own connection. Commands are not buffered while the database is away:
 * a request fails fast with 503 instead of hanging, and the driver reconnects by itself.
 */
export async function connectDatabase({ url, dbName, logger, serverSelectionTimeoutMS = 3000 }: DatabaseOptions): Promise<Connection> {
  const connection = mongoose.createConnection(url, {
    dbName,
    bufferCommands: false,
    serverSelectionTimeoutMS,
    maxPoolSize: 20,
  });
  connection.on('disconnected', () => logger.warn('database disconnected', { dbName }));
  connection.on('reconnected', () => logger.info('database reconnected', { dbName }));
  await connection.asPromise();
  logger.info('database connected', { dbName });
  return connection;
}

export function isDatabaseConnected(connection: Connection): boolean {
  return connection.readyState === mongoose.ConnectionStates.connected;
}

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

/** E11000: an insert met a unique index. On FerretDB and MongoDB alike this is the atomic race-breaker. */
export function isDuplicateKeyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && (error as { code: unknown }).code === 11000;
}

/**
 * Inserts a document our own code built, as it is; false when one with its `_id` exists already
 * (the race an insert settles atomically, on FerretDB as on MongoDB). It goes to the driver
 * directly: mongoose's create builds, casts and validates a document first, which cost more CPU
 * than the round trip itself on the order path.
 */
export async function insertOnce<T extends { _id: unknown }>(model: Model<T>, document: T): Promise<boolean> {
  try {
    await model.collection.insertOne(document as Parameters<typeof model.collection.insertOne>[0]);
    return true;
  } catch (error) {
    if (isDuplicateKeyError(error)) return false;
    throw error;
  }
}
