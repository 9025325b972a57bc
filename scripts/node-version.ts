import fs from 'node:fs';
import path from 'node:path';

const NVMRC = path.join(__dirname, '..', '.nvmrc');

/** The Node release the shop is tested on and its images run (.nvmrc, the one place it is written). */
export function testedNodeVersion(): string {
  return fs.readFileSync(NVMRC, 'utf8').trim().replace(/^v/, '');
}

function major(version: string): number {
  return Number(version.split('.')[0]);
}

/**
 * One line for npm start and npm test on a Node older than the tested major: it still runs there
 * (engines says how far back), but untested, so say how to get the tested one.
 */
export function olderNodeNote(running: string = process.versions.node): string | undefined {
  const tested = testedNodeVersion();
  if (major(running) >= major(tested)) return undefined;
  return `note: Node ${running} is older than the Node ${major(tested)} the shop is tested on; PATH="$(bash scripts/ensure-node.sh):$PATH" puts Node ${tested} first`;
}
