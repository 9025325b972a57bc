/**
 * Compares two .cpuprofile files of the same work, e.g. the gateway's and the bare hop's from one
 * `npm run bench -- --cpu-prof --cases product` run, per request and function by function:
 *   node -r ts-node/register/transpile-only bench/profile-compare.ts A.cpuprofile REQUESTS_A B.cpuprofile REQUESTS_B [--top N]
 * REQUESTS_* are the requests each process served while it was profiled (warm-ups included).
 */
import { compareProfiles } from './lib/profile';

const args = process.argv.slice(2);
const topIndex = args.indexOf('--top');
const top = topIndex >= 0 ? Number(args.splice(topIndex, 2)[1]) : 25;
const [fileA, requestsA, fileB, requestsB] = args;
if (!fileA || !fileB || !(Number(requestsA) > 0) || !(Number(requestsB) > 0)) {
  console.error('usage: bench/profile-compare.ts A.cpuprofile REQUESTS_A B.cpuprofile REQUESTS_B [--top N]');
  process.exit(2);
}
console.log(compareProfiles({ file: fileA, requests: Number(requestsA) }, { file: fileB, requests: Number(requestsB) }, top));
