import mongoose, { type Connection, type Model } from 'mongoose';
import type { Logger } from '../logging/logger';
import { shopMetrics } from '../metrics/metrics';
import { isDuplicateKeyError } from './errors';

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
  /**
   * How long a command waits for the server's reply before its connection is closed and it fails
   * (a 503): a server that went silent without closing the socket would otherwise hold the request
   * and a pooled connection forever.
   */
  socketTimeoutMS?: number;
  /** How long opening a connection may take, handshake included, before it fails (a 503) instead of holding the request. */
  connectTimeoutMS?: number;
  /** Counts every command sent in db_commands_total (the driver then decodes each reply twice). */
  countCommands?: boolean;
}

// The driver's own traffic (handshakes, monitoring, sessions), not what the code asked for.
const CONNECTION_COMMANDS = new Set(['hello', 'isMaster', 'ismaster', 'ping', 'endSessions', 'saslStart', 'saslContinue', 'buildInfo']);

/** The collection a command names: the value of its first key (find, update...) or getMore's `collection`. */
function commandCollection(commandName: string, command: Record<string, unknown>): string {
  const named = commandName === 'getMore' ? command.collection : command[commandName];
  return typeof named === 'string' ? named : '';
}

function countCommands(connection: Connection): void {
  const counter = shopMetrics().dbCommands;
  connection.getClient().on('commandStarted', ({ commandName, command, databaseName }) => {
    if (CONNECTION_COMMANDS.has(commandName)) return;
    counter.inc({ database: databaseName, collection: commandCollection(commandName, command), command: commandName });
  });
}

/**
 * Opens this service's own connection. Commands are not buffered while the database is away:
 * a request fails fast with 503 instead of hanging, and the driver reconnects by itself.
 */
export async function connectDatabase({
  url,
  dbName,
  logger,
  serverSelectionTimeoutMS = 3000,
  socketTimeoutMS = 20_000,
  connectTimeoutMS = 5000,
  countCommands: count = false,
}: DatabaseOptions): Promise<Connection> {
  const connection = mongoose.createConnection(url, {
    dbName,
    bufferCommands: false,
    serverSelectionTimeoutMS,
    socketTimeoutMS,
    connectTimeoutMS,
    maxPoolSize: 20,
    monitorCommands: count,
  });
  if (count) countCommands(connection);
  // Our own close (at shutdown) disconnects too: only losing the server is worth a warning.
  let closing = false;
  connection.on('disconnecting', () => (closing = true));
  connection.on('disconnected', () => {
    if (!closing) logger.warn('database disconnected', { dbName });
  });
  connection.on('reconnected', () => logger.info('database reconnected', { dbName }));
  await connection.asPromise();
  logger.info('database connected', { dbName });
  return connection;
}

export function isDatabaseConnected(connection: Connection): boolean {
  return connection.readyState === mongoose.ConnectionStates.connected;
}

/**
 * Inserts a document our own code built, as it is; false when one with its `_id` exists already
 * (the race a unique index settles atomically). It goes to the driver
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

/**
 * Inserts several documents our own code built in one command; for each, whether it was stored
 * (false: one with its `_id` exists already). The others are stored whatever the duplicates.
 */
export async function insertEachOnce<T extends { _id: unknown }>(model: Model<T>, documents: T[]): Promise<boolean[]> {
  if (documents.length === 1) return [await insertOnce(model, documents[0]!)];
  const stored = documents.map(() => true);
  if (documents.length === 0) return stored;
  try {
    await model.collection.insertMany(documents as Parameters<typeof model.collection.insertMany>[0], { ordered: false });
  } catch (error) {
    const writeErrors = duplicateWriteErrors(error);
    if (!writeErrors) throw error;
    for (const { index } of writeErrors) stored[index] = false;
  }
  return stored;
}

/** The failed documents of an unordered insert when every failure is a duplicate key; else undefined. */
function duplicateWriteErrors(error: unknown): Array<{ index: number }> | undefined {
  const writeErrors = (error as { writeErrors?: unknown } | null)?.writeErrors;
  const list = (Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : []) as Array<{ index: number; code: number }>;
  return list.length > 0 && list.every((writeError) => writeError.code === 11000) ? list : undefined;
}
