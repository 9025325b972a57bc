import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..');

interface CustomManager {
  managerFilePatterns: string[];
  matchStrings: string[];
  depNameTemplate: string;
}
interface PackageRule {
  matchDepNames?: string[];
  groupName?: string;
  allowedVersions?: string;
}
const renovate = JSON.parse(fs.readFileSync(path.join(ROOT, 'renovate.json'), 'utf8')) as { customManagers: CustomManager[]; packageRules: PackageRule[] };
const trackedFiles = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);

/** What Renovate finds with a regex manager: the version strings in the files its patterns select. */
function versionsFound(manager: CustomManager): Array<{ file: string; version: string }> {
  const patterns = manager.managerFilePatterns.map((pattern) => new RegExp(pattern.slice(1, -1)));
  return trackedFiles
    .filter((file) => patterns.some((pattern) => pattern.test(file)))
    .flatMap((file) =>
      manager.matchStrings.flatMap((source) =>
        [...fs.readFileSync(path.join(ROOT, file), 'utf8').matchAll(new RegExp(source, 'g'))].map((match) => ({ file, version: match.groups!.currentValue! })),
      ),
    );
}

describe('dependency updates (renovate.json)', () => {
  test('When Renovate reads scripts/ensure-tools.sh, then it finds the one FerretDB version the script builds, and stays on v1', () => {
    const ferretdb = renovate.customManagers.find((manager) => manager.depNameTemplate === 'github.com/FerretDB/FerretDB')!;
    const built = /ferretdb_version="([^"]+)"/.exec(fs.readFileSync(path.join(ROOT, 'scripts', 'ensure-tools.sh'), 'utf8'))![1];
    expect(versionsFound(ferretdb)).toEqual([{ file: 'scripts/ensure-tools.sh', version: built }]);
    expect(built).toMatch(/^v1\./);
    expect(renovate.packageRules.find((rule) => rule.matchDepNames?.includes('github.com/FerretDB/FerretDB'))?.allowedVersions).toBe('<2');
  });

  test('When mongoose and the mongodb driver are installed, then there is one driver, the one the services run on, and Renovate moves both together', () => {
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
    expect(Object.keys(lock.packages).filter((location) => location.endsWith('node_modules/mongodb'))).toEqual(['node_modules/mongodb']);
    const group = renovate.packageRules.filter((rule) => rule.matchDepNames?.includes('mongodb') && rule.groupName);
    expect(group).toEqual([expect.objectContaining({ matchDepNames: ['mongoose', 'mongodb'] })]);
  });

  test('When TypeScript 7 (the Go port, which typescript-eslint does not support) comes, then Renovate does not propose it', () => {
    expect(renovate.packageRules.find((rule) => rule.matchDepNames?.includes('typescript'))?.allowedVersions).toBe('<7');
  });

  test('When a new Node release comes, then .nvmrc and the Dockerfile move in one pull request', () => {
    const group = renovate.packageRules.filter((rule) => rule.matchDepNames?.includes('node') && rule.groupName);
    expect(group).toEqual([expect.objectContaining({ groupName: 'Node.js' })]);
  });
});
