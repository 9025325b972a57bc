/**
 * Summarises .cpuprofile files (from `npm run bench -- --cpu-prof`, or any `node --cpu-prof`):
 *   node -r ts-node/register/transpile-only bench/profile-summary.ts FILE... [--top N]
 */
import { formatProfile, summariseProfile } from './lib/profile';

const args = process.argv.slice(2);
const topIndex = args.indexOf('--top');
const top = topIndex >= 0 ? Number(args.splice(topIndex, 2)[1]) : 15;
if (args.length === 0) {
  console.error('usage: bench/profile-summary.ts FILE.cpuprofile... [--top N]');
  process.exit(2);
}
for (const file of args) console.log(formatProfile(summariseProfile(file, top)));
