import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { testEnvironment, uniqueTestName } from '@shop/common/testing';
import { REPO_ROOT } from '../scripts/infra';
import { freePort } from '../scripts/infra/processes';
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
