import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { eventually, testEnvironment, uniqueTestName } from '@shop/common/testing';
import { REPO_ROOT } from '../scripts/infra';
import { freePort, isPortOpen } from '../scripts/infra/processes';
import { httpStatus } from '../scripts/shop-processes';

/** A built service as its own process, the way npm start and the containers run it. */
function runService(name: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, name, 'dist', 'index.js')], {
    env: { PATH: process.env.PATH ?? '', ENV_DIR: '/nonexistent', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

describe('a service process', () => {
  test('When a variable is missing, then it stops at once with one line naming it', async () => {
    const { JWT_PUBLIC_KEY: _key, ...env } = testEnvironment(uniqueTestName('lifecycle'));
    const service = runService('products', env);
    expect(await service.exited).toBe(1);
    expect(service.stderr().trim().split('\n')).toEqual([expect.stringContaining('JWT_PUBLIC_KEY is required')]);
  });

  test('When NODE_ENV is production, then .env.dev is never read: without a JWT_PUBLIC_KEY of its own the service stops with one line asking for it', async () => {
    const { JWT_PUBLIC_KEY: _key, ...env } = testEnvironment(uniqueTestName('lifecycle'));
    const service = runService('products', { ...env, NODE_ENV: 'production', ENV_DIR: REPO_ROOT });
    expect(await service.exited).toBe(1);
    expect(service.stderr().trim().split('\n')).toEqual([expect.stringContaining('JWT_PUBLIC_KEY is required')]);
  });

  test('When NODE_ENV is production and the token key is the development one, then the service refuses to start, in one line', async () => {
    const envDev = dotenv.parse(fs.readFileSync(path.join(REPO_ROOT, '.env.dev'), 'utf8'));
    const service = runService('shopping', { ...testEnvironment(uniqueTestName('lifecycle')), NODE_ENV: 'production', JWT_PUBLIC_KEY: envDev.JWT_PUBLIC_KEY! });
    expect(await service.exited).toBe(1);
    expect(service.stderr().trim().split('\n')).toEqual([expect.stringMatching(/^invalid configuration: JWT_PUBLIC_KEY: is the development key pair/)]);
  });

  test('When a variable is malformed, then the line names it and says why', async () => {
    const service = runService('customer', { ...testEnvironment(uniqueTestName('lifecycle')), BCRYPT_COST: 'lots' });
    expect(await service.exited).toBe(1);
    expect(service.stderr()).toMatch(/BCRYPT_COST/);
  });

  test('When it gets SIGTERM, then it closes the broker and the database and exits 0 within a few seconds', async () => {
    const port = await freePort();
    const service = runService('shopping', { ...testEnvironment(uniqueTestName('lifecycle')), SHOPPING_PORT: String(port) });
    for (let i = 0; i < 100 && (await httpStatus(`http://127.0.0.1:${port}/ready`)) !== 200; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await httpStatus(`http://127.0.0.1:${port}/ready`)).toBe(200);
    const started = Date.now();
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

/** The processes whose environment carries this run's mark: all that one `npm start` spawned, however deep. */
function processesMarked(mark: string): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(mark)) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/**
 * `npm start` as a person runs it (its own FerretDB and RabbitMQ, in a data folder of the test's),
 * in a process group of its own that a Ctrl-C reaches, on ports chosen for it.
 */
async function runNpmStart() {
  const mark = `SHOP_LIFECYCLE_RUN=${uniqueTestName('run')}`;
  const dataDir = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : '/tmp', 'shop-lifecycle-'));
  const ports = { GATEWAY_PORT: await freePort(), CUSTOMER_PORT: await freePort(), PRODUCTS_PORT: await freePort(), SHOPPING_PORT: await freePort() };
  const { MONGO_URL: _mongo, AMQP_URL: _amqp, ...env } = testEnvironment(uniqueTestName('lifecycle'));
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(REPO_ROOT, 'scripts', 'start.ts')], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      ENV_DIR: '/nonexistent',
      LOG_FORMAT: 'json',
      SHOP_DATA_DIR: dataDir,
      ...env,
      ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
      [mark.split('=')[0]!]: mark.split('=')[1]!,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const gateway = `http://127.0.0.1:${ports.GATEWAY_PORT}`;
  const servicePorts = [ports.CUSTOMER_PORT, ports.PRODUCTS_PORT, ports.SHOPPING_PORT];
  return { child, exited, mark, ports: Object.values(ports), servicePorts, dataDir, gateway, output: () => output };
}

function killIfThere(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

type NpmStart = Awaited<ReturnType<typeof runNpmStart>>;

/** Resolves true once the check passes, false if the run ended first or took too long. */
async function reached(run: NpmStart, check: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (run.child.exitCode !== null || run.child.signalCode !== null || Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * ensure-tools.sh's version check now and then fails (a pipe under pipefail) and it tries to
 * rebuild FerretDB, which fails at once in this environment (no HOME for Go): such a run says
 * nothing about Ctrl-C, so it is run again.
 */
async function runNpmStartUntil(moment: (run: NpmStart) => Promise<boolean>): Promise<NpmStart> {
  for (let attempt = 1; ; attempt++) {
    const run = await runNpmStart();
    if (await moment(run)) return run;
    await cleanUp(run);
    if (attempt === 3 || !run.output().includes('ensure-tools: building')) throw new Error(`npm start ended before the moment:\n${run.output()}`);
  }
}

/** Only what carries the run's mark is stopped here. */
async function cleanUp(run: NpmStart): Promise<void> {
  for (const pid of processesMarked(run.mark)) killIfThere(pid);
  fs.rmSync(run.dataDir, { recursive: true, force: true });
}

describe('npm start interrupted by Ctrl-C', () => {
  const moments: Array<[string, (run: NpmStart) => Promise<boolean>]> = [
    ['one second in, while it starts FerretDB and RabbitMQ', () => new Promise((resolve) => setTimeout(() => resolve(true), 1000))],
    ["as FerretDB and RabbitMQ answer, when the shop's processes are spawned", (run) => reached(run, () => run.output().includes('MongoDB (FerretDB) at'))],
    [
      'as the first service listens, before the shop is ready',
      (run) => reached(run, async () => (await Promise.all(run.servicePorts.map((port) => isPortOpen(port)))).includes(true)),
    ],
    ['just as /health first answers 200', (run) => reached(run, async () => (await httpStatus(`${run.gateway}/health`, 500)) === 200)],
  ];

  test.each(moments)(
    'When it comes %s, then every process of the run is stopped and its ports are free',
    async (_moment, moment) => {
      const run = await runNpmStartUntil(moment);
      try {
        process.kill(-run.child.pid!, 'SIGINT');
        await run.exited;
        // npm start has exited once it stopped each process group; the last of their processes may take a moment more.
        await eventually(() => expect(processesMarked(run.mark)).toEqual([]), 5_000);
        for (const port of run.ports) expect(await isPortOpen(port)).toBe(false);
      } finally {
        await cleanUp(run);
      }
    },
    240_000,
  );
});
