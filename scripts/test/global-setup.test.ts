import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { REPO_ROOT } from '../infra';
import { isPortOpen } from '../infra/processes';

// The run's global setup in a process of its own, as jest runs it, interrupted as Ctrl-C would.
const SETUP = `require('./scripts/test/global-setup').default({ testPathPatterns: { patterns: ['scripts/ferretdb/conformance'] } })
  .then(() => console.log('data dir ' + process.env.TEST_DATA_DIR));
setInterval(() => undefined, 1000);`;

describe('the test run', () => {
  test('When a run is interrupted before its teardown, then the servers it started stop with it and its data goes', async () => {
    const env = { ...process.env };
    delete env.MONGO_URL;
    delete env.AMQP_URL;
    const run = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', SETUP], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => run.once('exit', (code) => resolve(code)));
    let output = '';
    const started = await new Promise<{ port: number; dataDir: string }>((resolve, reject) => {
      run.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const port = /FerretDB\) at mongodb:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1];
        const dataDir = /data dir (\S+)/.exec(output)?.[1];
        if (port && dataDir) resolve({ port: Number(port), dataDir });
      });
      void exited.then(() => reject(new Error(`the setup exited first: ${output}`)));
    });
    expect(await isPortOpen(started.port)).toBe(true);

    run.kill('SIGINT');

    expect(await exited).toBe(130);
    expect(await isPortOpen(started.port)).toBe(false);
    expect(fs.existsSync(started.dataDir)).toBe(false);
  }, 120_000);
});
