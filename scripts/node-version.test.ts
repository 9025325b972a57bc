import fs from 'node:fs';
import path from 'node:path';
import { olderNodeNote, testedNodeVersion } from './node-version';

const ROOT = path.join(__dirname, '..');
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8');

describe('the Node the shop runs on', () => {
  test('When the tested Node is read, then it is a full 24.x release (the current LTS)', () => {
    expect(testedNodeVersion()).toMatch(/^24\.\d+\.\d+$/);
  });

  test('When Node is older than the tested major, then npm start and npm test say so in one line, naming the fix', () => {
    const note = olderNodeNote('20.20.2');
    expect(note).toContain('Node 20.20.2 is older than the Node 24');
    expect(note).toContain('bash scripts/ensure-node.sh');
    expect(note).not.toContain('\n');
  });

  test('When Node is the tested major or newer, then there is no note', () => {
    expect(olderNodeNote(testedNodeVersion())).toBeUndefined();
    expect(olderNodeNote('24.0.0')).toBeUndefined();
    expect(olderNodeNote('26.1.0')).toBeUndefined();
  });

  test('When a manifest states the engines, then every workspace states the same range: Node 20.19 and newer still run the shop (the mongodb 7 driver needs 20.19)', () => {
    const root = JSON.parse(read('package.json')) as { workspaces: string[]; engines?: { node?: string } };
    const ranges = [root, ...root.workspaces.map((workspace) => JSON.parse(read(path.join(workspace, 'package.json'))) as typeof root)].map((manifest) => manifest.engines?.node);
    expect(new Set(ranges)).toEqual(new Set(['>=20.19']));
  });

  test('When npm start or npm test begin, then they print the note', () => {
    for (const file of ['scripts/start.ts', 'scripts/test/global-setup.ts']) expect({ file, notes: read(file).includes('olderNodeNote()') }).toEqual({ file, notes: true });
  });
});
