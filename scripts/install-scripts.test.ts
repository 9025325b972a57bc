import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..');
const read = <T>(file: string): T => JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8')) as T;

describe('install scripts of dependencies (allowScripts)', () => {
  test('When a locked package has an install script, then package.json has decided whether it runs, so npm ci prints no advisory about it', () => {
    const lock = read<{ packages: Record<string, { hasInstallScript?: boolean; link?: boolean }> }>('package-lock.json');
    const withScripts = Object.entries(lock.packages)
      .filter(([location, entry]) => entry.hasInstallScript && location.includes('node_modules/'))
      .map(([location]) => location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length));
    const decided = Object.keys(read<{ allowScripts?: Record<string, boolean> }>('package.json').allowScripts ?? {});
    expect(withScripts.length).toBeGreaterThan(0);
    expect([...new Set(withScripts)].sort()).toEqual(decided.sort());
  });
});
