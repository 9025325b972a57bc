import { performance } from 'node:perf_hooks';
import { ObjectId, type Collection, type Document, type Filter, type FindOptions } from 'mongodb';
import { openConformanceDatabase, type ConformanceDatabase } from './conformance-database';

// A look-up served by an index costs about the same at 1 document as at 50,000: both collections
// below have the same indexes and the same 12 "target" documents that the look-ups find; the large
// one also holds 50,000 documents that none of them matches.

const LARGE_SIZE = 50_000;
const BATCH_SIZE = 1_000;
const TARGET_COUNT = 12;
const TARGET_CUSTOMER = new ObjectId();
const TARGETS_START = Date.UTC(2030, 0, 1);
const FILLERS_START = Date.UTC(2020, 0, 1);
const HOUR = 3_600_000;

const SAMPLES = 15;
// A look-up whose first samples on the large collection already took this long together is far
// over any bound: more samples would only make a failing run slower.
const SAMPLING_BUDGET_MS = 2_000;
const MIN_SAMPLES = 2;

interface Lookup {
  name: string;
  filter: Filter<Document>;
  options?: FindOptions;
  /** Emails of the expected documents, in the expected order when `options` sorts. */
  expected: string[];
}

const targetId = (index: number): string => `target-${index}`;
const targetEmail = (index: number): string => `target-${index}@shop.test`;
// The targets have string ids (the fillers get ObjectIds): the driver's Document type expects the latter.
const byId = (id: string): Filter<Document> => ({ _id: id }) as unknown as Filter<Document>;
const targetDate = (index: number): Date => new Date(TARGETS_START + index * HOUR);

const LOOKUPS: Lookup[] = [
  { name: 'equality on _id', filter: byId(targetId(2)), expected: [targetEmail(2)] },
  // The filter of a conditional write: {_id, version}.
  { name: '_id with a condition on another field', filter: { ...byId(targetId(4)), price: 2004 }, expected: [targetEmail(4)] },
  { name: '_id $in with 3 values', filter: { _id: { $in: [targetId(1), targetId(6), targetId(8)] } } as unknown as Filter<Document>, expected: [1, 6, 8].map(targetEmail) },
  { name: 'equality on a unique string', filter: { email: targetEmail(3) }, expected: [targetEmail(3)] },
  {
    name: 'equality on a non-unique ObjectId',
    filter: { customerId: TARGET_CUSTOMER },
    expected: Array.from({ length: TARGET_COUNT }, (_, index) => targetEmail(index)),
  },
  {
    name: 'equality on the first field of a compound index, sorted by its second, limit 10',
    filter: { customerId: TARGET_CUSTOMER },
    options: { sort: { createdAt: -1 }, limit: 10 },
    expected: [11, 10, 9, 8, 7, 6, 5, 4, 3, 2].map(targetEmail),
  },
  { name: 'a number range', filter: { price: { $gte: 2004, $lt: 2007 } }, expected: [4, 5, 6].map(targetEmail) },
  { name: 'a date range', filter: { createdAt: { $gte: targetDate(7), $lt: targetDate(10) } }, expected: [7, 8, 9].map(targetEmail) },
  { name: '$in with 3 values on a unique string', filter: { email: { $in: [1, 5, 9].map(targetEmail) } }, expected: [1, 5, 9].map(targetEmail) },
];

function targetDocuments(): Document[] {
  return Array.from({ length: TARGET_COUNT }, (_, index) => ({
    _id: targetId(index),
    email: targetEmail(index),
    customerId: TARGET_CUSTOMER,
    createdAt: targetDate(index),
    price: 2000 + index,
  }));
}

// Fillers share 5,000 customers, cost 0 to 999.9 and date from January 2020: no look-up matches them.
const fillerCustomers = Array.from({ length: 5_000 }, () => new ObjectId());

function fillerDocument(index: number): Document {
  return {
    email: `filler-${index}@shop.test`,
    customerId: fillerCustomers[index % fillerCustomers.length],
    createdAt: new Date(FILLERS_START + index * 60_000),
    price: (index % 10_000) / 10,
  };
}

async function createIndexes(collection: Collection<Document>): Promise<void> {
  await collection.createIndex({ email: 1 }, { unique: true });
  await collection.createIndex({ customerId: 1 });
  await collection.createIndex({ customerId: 1, createdAt: -1 });
  await collection.createIndex({ price: 1 });
  await collection.createIndex({ createdAt: 1 });
}

async function insertFillers(collection: Collection<Document>, count: number): Promise<void> {
  for (let start = 0; start < count; start += BATCH_SIZE) {
    const batch = Array.from({ length: Math.min(BATCH_SIZE, count - start) }, (_, offset) => fillerDocument(start + offset));
    await collection.insertMany(batch);
  }
}

async function emailsFound(collection: Collection<Document>, lookup: Lookup): Promise<string[]> {
  const documents = await collection.find(lookup.filter, { ...lookup.options, projection: { _id: 0, email: 1 } }).toArray();
  const emails = documents.map((document) => document.email as string);
  return lookup.options?.sort ? emails : emails.sort();
}

function sortedUnlessOrdered(lookup: Lookup): string[] {
  return lookup.options?.sort ? lookup.expected : [...lookup.expected].sort();
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await action();
  return performance.now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Median times of a look-up on the small and the large collection, sampled alternately. */
async function medianTimes(lookup: Lookup): Promise<{ small: number; large: number }> {
  const run = (collection: Collection<Document>) => () => emailsFound(collection, lookup);
  const smallTimes: number[] = [];
  const largeTimes: number[] = [];
  while (smallTimes.length < SAMPLES) {
    smallTimes.push(await timed(run(small)));
    largeTimes.push(await timed(run(large)));
    const spent = largeTimes.reduce((total, time) => total + time, 0);
    if (largeTimes.length >= MIN_SAMPLES && spent > SAMPLING_BUDGET_MS) break;
  }
  return { small: median(smallTimes), large: median(largeTimes) };
}

/**
 * The slowest median the large collection may take. An index look-up reads a few more index
 * pages at 50,000 documents than at 13, so 3 times the small collection's median is ample; the
 * 15 ms floor keeps a sub-millisecond baseline from failing on scheduling noise of a busy
 * machine, while reading all 50,000 documents takes hundreds of milliseconds and still fails.
 */
function largeBound(smallMedian: number): number {
  return Math.max(3 * smallMedian, smallMedian + 15);
}

let database: ConformanceDatabase;
let small: Collection<Document>;
let large: Collection<Document>;
const report: string[] = [];

beforeAll(async () => {
  database = await openConformanceDatabase('indexedlookups');
  small = database.db.collection('small');
  large = database.db.collection('large');
  await Promise.all([createIndexes(small), createIndexes(large)]);
  await insertFillers(small, 1);
  await small.insertMany(targetDocuments());
  const loadTime = await timed(() => insertFillers(large, LARGE_SIZE));
  await large.insertMany(targetDocuments());
  report.push(`loaded ${LARGE_SIZE} documents in ${(loadTime / 1000).toFixed(1)} s`);
}, 180_000);

afterAll(async () => {
  if (report.length > 0) console.info(`indexed look-ups: ${report.join('; ')}`);
  await database?.close();
});

it('When both collections are loaded, then they hold 13 and 50,012 documents', async () => {
  expect(await small.countDocuments()).toBe(1 + TARGET_COUNT);
  expect(await large.countDocuments()).toBe(LARGE_SIZE + TARGET_COUNT);
});

it.each(LOOKUPS)(
  'When looking up by $name beside 1 and beside 50,000 other documents, then both find the expected documents, as fast',
  async (lookup) => {
    // The first run on each collection checks the answer and warms the caches for the timed runs.
    expect(await emailsFound(small, lookup)).toEqual(sortedUnlessOrdered(lookup));
    expect(await emailsFound(large, lookup)).toEqual(sortedUnlessOrdered(lookup));
    const { small: smallMedian, large: largeMedian } = await medianTimes(lookup);
    report.push(`${lookup.name}: ${smallMedian.toFixed(1)} ms / ${largeMedian.toFixed(1)} ms`);
    expect(largeMedian).toBeLessThanOrEqual(largeBound(smallMedian));
  },
  60_000,
);
