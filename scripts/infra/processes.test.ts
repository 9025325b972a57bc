import { spawn } from 'node:child_process';
import { REPO_ROOT } from './ferretdb';
import { eventually } from '../../common/src/testing';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// A process that starts a group of its own (a long sleep) and prints the group's pid.
const STARTER = `const { spawnGroup } = require('./scripts/infra/processes');
console.log(spawnGroup('sleep', ['300'], { stdio: 'ignore' }).pid);
setInterval(() => undefined, 1000);`;

describe('process groups the shop starts', () => {
  test('When the process that started a group is killed outright, then the group is stopped too', async () => {
    const starter = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', STARTER], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const groupPid = await new Promise<number>((resolve) => starter.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
    expect(isRunning(groupPid)).toBe(true);

    starter.kill('SIGKILL');

    await eventually(() => expect(isRunning(groupPid)).toBe(false), 15_000);
  });
});
