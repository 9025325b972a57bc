import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { freePort, registerCleanup, startProcess, stopProcess, waitFor } from './processes';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const FERRETDB_BINARY = path.join(REPO_ROOT, '.tools', 'ferretdb');

export interface RunningFerretDb {
  url: string;
  /** Its Prometheus metrics (commands received by name), when started with a debug port. */
  metricsUrl?: string;
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

/**
 * A private FerretDB on a free loopback port over SQLite files in dataDir. With `debugPort`, its
 * debug handler (metrics, pprof) listens there (the benchmark counts commands with it).
 */
export async function startFerretDb({ dataDir, port, debugPort }: { dataDir: string; port?: number; debugPort?: number }): Promise<RunningFerretDb> {
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
      `--debug-addr=${debugPort ? `127.0.0.1:${debugPort}` : '-'}`,
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
  return { url, port: listenPort, process: child, stop, ...(debugPort ? { metricsUrl: `http://127.0.0.1:${debugPort}/debug/metrics` } : {}) };
}
