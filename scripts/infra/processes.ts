import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A free TCP port on loopback, below the kernel's ephemeral range (32768 and up): a port from
 * that range, once released, can be taken at once by any outgoing connection, before the
 * server it was meant for (RabbitMQ takes seconds to boot) has bound it.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canListen(port)) return port;
  }
  throw new Error('no free port found between 20000 and 32000');
}

export function isPortOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode} before it was ready`);
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000}s`);
}

const cleanups = new Set<() => Promise<void>>();
let shuttingDown = false;

/**
 * Registers how to stop something this process started, so that an interrupted start-up can still
 * clean up. Register it in the same turn of the event loop as the spawn: a signal handled in
 * between would find nothing to stop.
 */
export function registerCleanup(cleanup: () => Promise<void>): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/**
 * Stops everything still registered, the latest first (the shop's processes before the servers
 * they use), also what a start-up still under way registers meanwhile. From then on nothing new
 * starts in this process: a start-up cut short must not launch what no one would stop.
 */
export async function runAllCleanups(): Promise<void> {
  shuttingDown = true;
  for (let latest = [...cleanups].at(-1); latest; latest = [...cleanups].at(-1)) {
    cleanups.delete(latest);
    await latest().catch(() => undefined);
  }
}

export interface StopOnSignalsOptions {
  /** Default SIGINT and SIGTERM. */
  signals?: readonly NodeJS.Signals[];
  /** The exit code after a signal (default 0). */
  exitCode?: (signal: NodeJS.Signals) => number;
  /** Before the clean-ups (a log line). */
  before?: () => void;
  /** After them, before the exit (a log line, a data directory removed). */
  after?: () => void;
}

export interface Stopper {
  /** Stops everything registered (once), then exits with the code: for a start-up that failed. */
  stopAll: (exitCode: number) => Promise<never>;
  /** Whether a stop has begun: a start-up it cuts short fails on the way, which is no news. */
  stopping: () => boolean;
}

/**
 * Stops everything registered on the first of the signals, then exits. Install it first thing: a
 * signal during start-up must find what has started so far. A second signal waits for that stop
 * instead of exiting in the middle of it.
 */
export function stopAllOnSignals({ signals = ['SIGINT', 'SIGTERM'], exitCode = () => 0, before, after }: StopOnSignalsOptions = {}): Stopper {
  let stopped: Promise<void> | undefined;
  const stopAll = async (code: number): Promise<never> => {
    stopped ??= (async () => {
      before?.();
      await runAllCleanups();
      after?.();
    })();
    await stopped;
    process.exit(code);
  };
  for (const signal of signals) process.on(signal, () => void stopAll(exitCode(signal)));
  return { stopAll, stopping: () => stopped !== undefined };
}

/**
 * Stops the process group $2 once the process $1 that started it is gone: killed (SIGKILL), or
 * interrupted where no clean-up ran (a jest worker). Ends once the group's leader has.
 */
const ORPHAN_WATCH = `
while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done
if kill -0 "$2" 2>/dev/null; then
  kill -TERM "-$2" 2>/dev/null; sleep 10; kill -KILL "-$2" 2>/dev/null
fi`;

/**
 * Spawns a program in its own process group (its children with it), unless this process is
 * shutting down. The group is out of the terminal's reach, so a small shell watches it: if this
 * process dies without stopping it, the group is stopped too.
 */
export function spawnGroup(command: string, args: string[], options: Omit<SpawnOptions, 'detached'>): ChildProcess {
  if (shuttingDown) throw new Error(`not starting ${path.basename(command)}: shutting down`);
  const child = spawn(command, args, { ...options, detached: true });
  if (child.pid !== undefined) {
    // Its own session, so that the signal which ends this process does not end the watch too.
    spawn('sh', ['-c', ORPHAN_WATCH, 'orphan-watch', String(process.pid), String(child.pid)], { detached: true, stdio: 'ignore', env: { PATH: process.env.PATH ?? '' } }).unref();
  }
  return child;
}

/** Starts a program in its own process group, its output going to a log file. */
export function startProcess(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; logFile: string; cwd?: string }): ChildProcess {
  const log = fs.openSync(options.logFile, 'a');
  try {
    return spawnGroup(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', log, log] });
  } finally {
    fs.closeSync(log);
  }
}

/** Stops a process group: SIGTERM, then SIGKILL after the grace period. */
export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (name: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
