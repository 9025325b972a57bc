import { MongoClient, type Db } from 'mongodb';
import { uniqueTestName } from '@shop/common/testing/test-settings';

export interface ConformanceDatabase {
  db: Db;
  /** Drops the database and closes the client. */
  close: () => Promise<void>;
}

// Wider than the largest race in the suite, so that every racer has a connection of its own and
// the operations really overlap on the server.
const POOL_SIZE = 100;

/** A database of its own for one test file, on the server the run uses (TEST_MONGO_URL). */
export async function openConformanceDatabase(label: string): Promise<ConformanceDatabase> {
  const url = process.env.TEST_MONGO_URL;
  if (!url) throw new Error('TEST_MONGO_URL is not set: run the suite with jest, whose global setup provides it');
  const client = await new MongoClient(url, { maxPoolSize: POOL_SIZE, maxConnecting: POOL_SIZE }).connect();
  const db = client.db(uniqueTestName(label));
  // Opens the whole pool now, so that a race does not wait for connections to be made.
  await race(POOL_SIZE, () => db.command({ ping: 1 }));
  return {
    db,
    close: async () => {
      await db.dropDatabase().catch(() => undefined);
      await client.close();
    },
  };
}

/** Runs `count` calls of `operation` at once and waits for all of them. */
export function race<T>(count: number, operation: (index: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: count }, (_, index) => operation(index)));
}
