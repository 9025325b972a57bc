import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testedNodeVersion } from './node-version';

const SCRIPT = path.join(__dirname, 'ensure-node.sh');
const shims: string[] = [];
afterAll(() => shims.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A `node` that claims to be `version` when asked, and is the real one for everything else (npm runs on it). */
function nodeClaiming(version: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ensure-node-'));
  shims.push(dir);
  fs.writeFileSync(path.join(dir, 'node'), `#!/bin/sh\nif [ "$1" = -p ]; then echo ${version}; else exec "${process.execPath}" "$@"; fi\n`, { mode: 0o755 });
  return dir;
}

function ensureNode(machineNodeDir: string): string {
  return execFileSync('bash', [SCRIPT], { encoding: 'utf8', env: { ...process.env, PATH: `${machineNodeDir}:${process.env.PATH}` }, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

describe('scripts/ensure-node.sh', () => {
  test('When the machine has Node 24 or newer, then it answers the folder of that node', () => {
    const machine = nodeClaiming('24.1.0');
    expect(ensureNode(machine)).toBe(machine);
  });

  test('When the machine has an older Node, then it answers a folder under .tools whose node is the release of .nvmrc', () => {
    const bin = ensureNode(nodeClaiming('20.20.2'));
    expect(bin).toBe(path.join(__dirname, '..', '.tools', `node-${testedNodeVersion()}`, 'bin'));
    expect(execFileSync(path.join(bin, 'node'), ['--version'], { encoding: 'utf8' }).trim()).toBe(`v${testedNodeVersion()}`);
  }, 180_000);
});
