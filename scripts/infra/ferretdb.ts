import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { freePort, registerCleanup, startProcess, stopProcess, waitFor } from './processes';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const FERRETDB_BINARY = path.join(REPO_ROOT, '.tools', 'ferretdb');

export interface RunningFerretDb {
  url: string;
  port: number;
  stop: () => Promise<void>;
  process: ChildProcess;
}

/** Answers a ping: the wire protocol is up, not only the TCP port. */
export async function pingMongo(url: string): Promise<boolean> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 1000, connectTimeoutMS: 1000 });
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
    return true;
  } catch {
    return false;
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** A private FerretDB on a free loopback port over SQLite files in dataDir. */
export async function startFerretDb({ dataDir, port }: { dataDir: string; port?: number }): Promise<RunningFerretDb> {
  if (!fs.existsSync(FERRETDB_BINARY)) {
    throw new Error(`FerretDB is not built: run scripts/ensure-tools.sh (expected ${FERRETDB_BINARY})`);
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const listenPort = port ?? (await freePort());
  const child = startProcess(
    FERRETDB_BINARY,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${dataDir}/`,
      `--listen-addr=127.0.0.1:${listenPort}`,
      `--state-dir=${dataDir}`,
      `--debug-addr=${process.env.FERRETDB_DEBUG_ADDR ?? '-'}`,
      '--telemetry=disable',
      '--log-level=error',
    ],
    { env: { ...process.env, DO_NOT_TRACK: '1' }, logFile: path.join(dataDir, 'ferretdb.log') },
  );
  const url = `mongodb://127.0.0.1:${listenPort}`;
  const stop = async (): Promise<void> => {
    unregister();
    await stopProcess(child);
  };
  const unregister = registerCleanup(stop);
  try {
    await waitFor('FerretDB', () => pingMongo(url), 30_000, child);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port: listenPort, process: child, stop };
}
