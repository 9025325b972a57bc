import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { REPO_ROOT } from './infra';
import { freePort, registerCleanup, spawnGroup, stopProcess, waitFor } from './infra/processes';

export const SERVICES = ['customer', 'products', 'shopping'] as const;
export type ShopProcessName = (typeof SERVICES)[number] | 'gateway';

export interface ShopProcessesOptions {
  /** Environment shared by all processes (MONGO_URL, AMQP_URL, JWT_PUBLIC_KEY, ...). */
  env: NodeJS.ProcessEnv;
  /** Each service's own AMQP_URL (its broker user); a service without one gets `env.AMQP_URL`. */
  amqpUrls?: Partial<Record<(typeof SERVICES)[number], string>>;
  /** Gateway port; 0 picks a free one. */
  gatewayPort: number;
  /** Service ports; a port of 0 picks a free one. Instance i of a service listens on port + i. */
  servicePorts: Record<(typeof SERVICES)[number], number>;
  instances?: number;
  /** 'dist' runs the built JavaScript; 'dev' runs the TypeScript with nodemon, restarting on change. */
  mode?: 'dist' | 'dev';
  onOutput?: (name: string, line: string) => void;
  /** Called when a process ends by itself (not through stop()). */
  onUnexpectedExit?: (name: string, code: number | null) => void;
}

export interface ShopProcesses {
  gatewayUrl: string;
  /** Each service's instances, by their own URL (for what stays off the gateway: /ready, /metrics). */
  serviceUrls: Record<(typeof SERVICES)[number], string[]>;
  processes: Map<string, ChildProcess>;
  stop: () => Promise<void>;
  /** Kills one process (SIGKILL by default: a crash), as fault tests do. */
  kill: (label: string, signal?: NodeJS.Signals) => Promise<void>;
  /** Starts a killed process again, on the same port with the same environment. */
  restart: (label: string) => void;
}

/**
 * V8 heap limits (the Dockerfile and docker-compose.yml set the same). A service holds about 45 MB
 * of live objects, but without limits V8 lets its heap grow with the allocation rate: ~200 MB RSS
 * under load, against ~100-135 MB with these, at the same throughput. The gateway gets no old-space
 * limit: with one, proxying 250 kB catalogues ran 40 % slower. A caller's NODE_OPTIONS comes after
 * these and so wins.
 */
export function shopNodeOptions(name: ShopProcessName): string {
  return name === 'gateway' ? '--max-semi-space-size=4' : '--max-semi-space-size=4 --max-old-space-size=128';
}

function command(name: ShopProcessName, mode: 'dist' | 'dev'): { file: string; args: string[] } {
  if (mode === 'dist') return { file: process.execPath, args: [path.join(REPO_ROOT, name, 'dist', 'index.js')] };
  const nodemon = path.join(REPO_ROOT, 'node_modules', '.bin', 'nodemon');
  return {
    file: nodemon,
    args: [
      '--quiet',
      '--watch',
      path.join(REPO_ROOT, name, 'src'),
      '--watch',
      path.join(REPO_ROOT, 'common', 'src'),
      '--ext',
      'ts',
      '--ignore',
      '*.test.ts',
      '--exec',
      `node -r ts-node/register/transpile-only -r tsconfig-paths/register ${path.join(REPO_ROOT, name, 'src', 'index.ts')}`,
    ],
  };
}

export function httpStatus(url: string, timeoutMs = 2000): Promise<number> {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(0));
  });
}

/**
 * The events a service instance has applied (no-ops included), of one type or all, from
 * `events_consumed_total` on its /metrics.
 */
export async function appliedEventsOf(instanceUrl: string, type?: string): Promise<number> {
  const metrics = await (await fetch(`${instanceUrl}/metrics`)).text();
  return metrics
    .split('\n')
    .filter((line) => line.startsWith('events_consumed_total{') && line.includes('outcome="applied"') && (type === undefined || line.includes(`type="${type}"`)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/**
 * Starts the three services (N instances each) and the gateway as separate processes, and waits
 * until the gateway's /health says every service is ready.
 */
export async function startShopProcesses(options: ShopProcessesOptions): Promise<ShopProcesses> {
  const { env, instances = 1, mode = 'dist', onOutput = () => undefined, onUnexpectedExit = () => undefined } = options;
  const processes = new Map<string, ChildProcess>();
  const killed = new WeakSet<ChildProcess>();
  let stopping = false;

  const stop = async (): Promise<void> => {
    stopping = true;
    unregister();
    await Promise.all([...processes.values()].map((child) => stopProcess(child)));
  };
  // Before the first spawn: a signal during start-up stops whatever has been launched by then.
  const unregister = registerCleanup(stop);

  const launches = new Map<string, () => void>();
  const launch = (label: string, name: ShopProcessName, extraEnv: NodeJS.ProcessEnv): void => {
    if (stopping) throw new Error(`not starting ${label}: the shop is stopping`);
    launches.set(label, () => launch(label, name, extraEnv));
    const { file, args } = command(name, mode);
    const child = spawnGroup(file, args, {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ...env,
        ...extraEnv,
        NODE_OPTIONS: [shopNodeOptions(name), env.NODE_OPTIONS ?? process.env.NODE_OPTIONS, extraEnv.NODE_OPTIONS].filter(Boolean).join(' '),
        TS_NODE_PROJECT: path.join(REPO_ROOT, 'tsconfig.json'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    processes.set(label, child);
    for (const stream of [child.stdout, child.stderr]) {
      let buffered = '';
      stream?.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) if (line) onOutput(label, line);
      });
    }
    child.on('exit', (code) => {
      if (!stopping && !killed.has(child)) onUnexpectedExit(label, code);
    });
  };

  const urls: Record<(typeof SERVICES)[number], string[]> = { customer: [], products: [], shopping: [] };
  for (const service of SERVICES) {
    for (let i = 0; i < instances; i++) {
      const base = options.servicePorts[service];
      const port = base === 0 ? await freePort() : base + i;
      urls[service].push(`http://127.0.0.1:${port}`);
      const amqpUrl = options.amqpUrls?.[service];
      launch(instances > 1 ? `${service}#${i + 1}` : service, service, { [`${service.toUpperCase()}_PORT`]: String(port), ...(amqpUrl ? { AMQP_URL: amqpUrl } : {}) });
    }
  }
  const gatewayPort = options.gatewayPort === 0 ? await freePort() : options.gatewayPort;
  launch('gateway', 'gateway', {
    GATEWAY_PORT: String(gatewayPort),
    CUSTOMER_URL: urls.customer.join(','),
    PRODUCTS_URL: urls.products.join(','),
    SHOPPING_URL: urls.shopping.join(','),
  });

  const kill = async (label: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    const child = processes.get(label);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    killed.add(child);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(-child.pid!, signal);
    await exited;
  };
  const restart = (label: string): void => {
    const relaunch = launches.get(label);
    if (!relaunch) throw new Error(`no process ${label}`);
    relaunch();
  };

  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  try {
    let exited: [string, ChildProcess] | undefined;
    await waitFor(
      'the shop',
      async () => {
        exited = [...processes].find(([, child]) => child.exitCode !== null);
        return exited !== undefined || (await httpStatus(`${gatewayUrl}/health`)) === 200;
      },
      mode === 'dev' ? 120_000 : 60_000,
    );
    if (exited) throw new Error(`${exited[0]} exited with code ${exited[1].exitCode} during start-up`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { gatewayUrl, serviceUrls: urls, processes, stop, kill, restart };
}
