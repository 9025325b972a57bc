/**
 * The shop under test: started here (private FerretDB on /dev/shm + RabbitMQ, the four processes
 * from the built dist/) or a running one given by URL.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, startInfrastructure, type Infrastructure } from '../../scripts/infra';
import { freePort, runAllCleanups, stopProcess, waitFor } from '../../scripts/infra/processes';
import { httpStatus, startShopProcesses, type ShopProcesses } from '../../scripts/shop-processes';
import { assertLoopback } from './http';

/** A key pair of this run's own, as production (NODE_ENV below) demands. */
function tokenKeyPair(): { JWT_PRIVATE_KEY: string; JWT_PUBLIC_KEY: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    JWT_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export type ServiceName = 'customer' | 'products' | 'shopping';

export interface Target {
  gateway: string;
  /** Each service's own URL, for the direct cases (absent when not known). */
  direct: Partial<Record<ServiceName, string>>;
  admin: { email: string; password: string };
  /** Process ids by name, for RSS (empty when the shop was given by URL without --pids). */
  pids: Map<string, number>;
  amqpUrl?: string;
  queuePrefix?: string;
  mongoUrl?: string;
  /** FerretDB's Prometheus metrics (a shop started here): commands it received, by name. */
  ferretDbMetricsUrl?: string;
  dbNames?: Record<ServiceName, string>;
  /** Where FerretDB's and RabbitMQ's data are (a shop started here): their processes mention it. */
  dataDir?: string;
  /** Whether this run started the shop (and so may start extra instances and must stop it). */
  startedHere: boolean;
  /** The environment the processes got: extra instances start with the same. */
  env?: Record<string, string>;
  /** The last lines each process printed, for a failure to show. */
  output: Map<string, string[]>;
  /** Set when a process ended by itself. */
  crashed?: string;
  stop: () => Promise<void>;
}

export interface StartOptions {
  logLevel: string;
  bcryptCost: number;
  build: boolean;
  /** More environment for the shop's processes (NODE_OPTIONS for profiling, say). */
  extraEnv?: Record<string, string>;
  log: (line: string) => void;
}

const KEEP_LINES = 200;

let startingDataDir: string | undefined;
/** Every process this run starts has it in its environment, so that an interrupted run can find its own. */
const RUN_ID = `${process.pid}-${randomBytes(6).toString('hex')}`;
// Inherited by FerretDB, RabbitMQ and the bare server too.
process.env.BENCH_RUN_ID = RUN_ID;

function processesOfThisRun(): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/environ`, 'utf8').includes(`BENCH_RUN_ID=${RUN_ID}`)) found.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/**
 * After an interrupted start: stops the FerretDB and RabbitMQ it had begun (registered cleanups),
 * any shop process already launched (found by this run's id), and removes the data.
 */
export async function cleanUpInterruptedStart(): Promise<void> {
  await runAllCleanups();
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    const left = processesOfThisRun();
    if (left.length === 0) break;
    for (const pid of left) {
      try {
        process.kill(pid, signal);
      } catch {
        // gone
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
  if (startingDataDir) fs.rmSync(startingDataDir, { recursive: true, force: true });
}

function remember(output: Map<string, string[]>, name: string, line: string): void {
  let lines = output.get(name);
  if (!lines) output.set(name, (lines = []));
  lines.push(line);
  if (lines.length > KEEP_LINES) lines.splice(0, lines.length - KEEP_LINES);
}

export async function startOwnShop(options: StartOptions): Promise<Target> {
  const { log } = options;
  execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'ensure-tools.sh')], { stdio: 'inherit' });
  if (options.build) {
    log('building (npm run build)');
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: REPO_ROOT, stdio: 'inherit' });
  }
  // FerretDB's SQLite files and RabbitMQ's node on tmpfs: the disk is not what is measured.
  const dataDir = fs.mkdtempSync('/dev/shm/shop-bench-');
  startingDataDir = dataDir;
  let infrastructure: Infrastructure | undefined;
  let shop: ShopProcesses | undefined;
  const output = new Map<string, string[]>();
  const target: Partial<Target> = {};
  const stop = async (): Promise<void> => {
    await shop?.stop().catch(() => undefined);
    await infrastructure?.stop().catch(() => undefined);
    await runAllCleanups();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    log(`starting FerretDB and RabbitMQ (data in ${dataDir})`);
    infrastructure = await startInfrastructure({ dataDir, nodeName: `bench${process.pid}`, exchange: 'bench.events', ferretDbDebugPort: await freePort(), log });
    if (infrastructure.ferretDbMetricsUrl) log(`FerretDB metrics and pprof at ${infrastructure.ferretDbMetricsUrl.replace(/\/metrics$/, '')}`);
    // Random, as production (NODE_ENV below) demands of an admin password.
    const admin = { email: 'admin@bench.test', password: randomBytes(24).toString('hex') };
    const dbNames = { customer: 'bench_customer', products: 'bench_products', shopping: 'bench_shopping' };
    const queuePrefix = 'bench.';
    const env: Record<string, string> = {
      NODE_ENV: 'production',
      BENCH_RUN_ID: RUN_ID,
      ENV_DIR: '/nonexistent',
      LOG_FORMAT: 'json',
      LOG_LEVEL: options.logLevel,
      ...tokenKeyPair(),
      MONGO_URL: infrastructure.mongoUrl,
      AMQP_URL: infrastructure.amqpUrl,
      AMQP_EXCHANGE: 'bench.events',
      AMQP_QUEUE_PREFIX: queuePrefix,
      CUSTOMER_DB_NAME: dbNames.customer,
      PRODUCTS_DB_NAME: dbNames.products,
      SHOPPING_DB_NAME: dbNames.shopping,
      SEED_CATALOGUE: 'false',
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      BCRYPT_COST: String(options.bcryptCost),
      // One client address sends everything here: the abuse limits (429) would be what is measured.
      // The general limit stays on (its cost is part of every request) with a count never reached.
      RATE_LIMIT_PER_MINUTE: '1000000000',
      LOGIN_LIMIT_PER_IP: '0',
      LOGIN_FAILURES_PER_ACCOUNT: '0',
      SIGNUP_LIMIT_PER_IP: '0',
      ...options.extraEnv,
    };
    const ports = { customer: await freePort(), products: await freePort(), shopping: await freePort() };
    log('starting the shop (3 services + gateway)');
    shop = await startShopProcesses({
      env,
      gatewayPort: 0,
      servicePorts: ports,
      amqpUrls: infrastructure.serviceAmqpUrls,
      onOutput: (name, line) => remember(output, name, line),
      onUnexpectedExit: (name, code) => {
        target.crashed = `${name} exited with code ${code}`;
        log(`!! ${target.crashed}; its last lines:\n${(output.get(name) ?? []).slice(-20).join('\n')}`);
      },
    });
    const pids = new Map<string, number>();
    for (const [name, child] of shop.processes) if (child.pid) pids.set(name, child.pid);
    Object.assign(target, {
      gateway: shop.gatewayUrl,
      direct: {
        customer: `http://127.0.0.1:${ports.customer}`,
        products: `http://127.0.0.1:${ports.products}`,
        shopping: `http://127.0.0.1:${ports.shopping}`,
      },
      admin,
      pids,
      amqpUrl: infrastructure.amqpUrl,
      queuePrefix,
      mongoUrl: infrastructure.mongoUrl,
      ferretDbMetricsUrl: infrastructure.ferretDbMetricsUrl,
      dbNames,
      startedHere: true,
      dataDir,
      env,
      output,
      stop,
    });
    return target as Target;
  } catch (error) {
    await stop();
    throw error;
  }
}

export type GivenShopOptions = Pick<Target, 'gateway' | 'direct' | 'admin' | 'pids' | 'amqpUrl' | 'queuePrefix'>;

export function givenShop(options: GivenShopOptions): Target {
  assertLoopback(options.gateway);
  for (const url of Object.values(options.direct)) if (url) assertLoopback(url);
  return { ...options, startedHere: false, output: new Map(), stop: async () => undefined };
}

export interface ExtraInstance {
  url: string;
  pid: number;
  stop: () => Promise<void>;
}

/**
 * One more instance of a service with its own settings (another log level, say), on the same
 * databases and broker; its output is read and dropped, as the shop's processes' output is.
 */
export async function startExtraInstance(target: Target, service: ServiceName, extraEnv: Record<string, string>): Promise<ExtraInstance> {
  if (!target.env) throw new Error('extra instances need a shop started by the benchmark');
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [path.join(REPO_ROOT, service, 'dist', 'index.js')], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...target.env, ...extraEnv, [`${service.toUpperCase()}_PORT`]: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr])
    stream?.on('data', (chunk: Buffer) => {
      if (lines.length < 50) lines.push(chunk.toString('utf8'));
    });
  const url = `http://127.0.0.1:${port}`;
  const stop = (): Promise<void> => stopProcess(child);
  try {
    await waitFor(`${service} (extra instance)`, async () => (await httpStatus(`${url}/ready`)) === 200, 60_000, child);
  } catch (error) {
    await stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${lines.join('')}`, { cause: error });
  }
  return { url, pid: child.pid!, stop };
}

/** A bare node:http server answering a fixed small JSON body: the ceiling of this machine. */
const BARE_SERVER = `
const http = require('node:http');
const body = Buffer.from(JSON.stringify({ status: 'ok', service: 'bare', items: [1, 2, 3] }));
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 65000;
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
process.on('SIGTERM', () => process.exit(0));
`;

/**
 * The cheapest proxy hop we could write instead of the gateway: express + express-http-proxy with a
 * keep-alive agent and no other middleware, in front of one upstream. What the gateway's features cost
 * is the gateway's CPU per request beyond this one's.
 */
const BARE_HOP = `
const http = require('node:http');
const express = require('express');
const proxy = require('express-http-proxy');
const agent = new http.Agent({ keepAlive: true, maxSockets: 256, timeout: 60000 });
const app = express();
app.use(proxy(process.env.BARE_HOP_TARGET, {
  proxyReqOptDecorator: (options) => {
    options.agent = agent;
    options.headers.connection = 'keep-alive';
    return options;
  },
}));
const server = http.createServer(app);
server.keepAliveTimeout = 65000;
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
process.on('SIGTERM', () => process.exit(0));
`;

/** A node process running `script`, which prints the loopback port it listens on as its first line. */
async function startScriptServer(name: string, script: string, env: Record<string, string> = {}): Promise<ExtraInstance> {
  const child = spawn(process.execPath, ['-e', script], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { PATH: process.env.PATH ?? '', BENCH_RUN_ID: RUN_ID, ...env },
  });
  const port = await new Promise<number>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (text.includes('\n')) resolve(Number(text.trim()));
    });
    child.once('exit', (code) => reject(new Error(`the ${name} exited with code ${code}`)));
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  };
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, stop };
}

export function startBareServer(): Promise<ExtraInstance> {
  return startScriptServer('bare server', BARE_SERVER);
}

/** `env` adds to the hop's environment (the CPU profiler's preload, with `--cpu-prof`). */
export function startBareHop(targetUrl: string, env: Record<string, string> = {}): Promise<ExtraInstance> {
  assertLoopback(targetUrl);
  return startScriptServer('bare hop', BARE_HOP, { ...env, BARE_HOP_TARGET: targetUrl, NODE_ENV: 'production' });
}
