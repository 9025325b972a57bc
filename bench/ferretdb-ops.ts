/**
 * What the database operations the shop's hot paths use cost on FerretDB (SQLite handler, data on
 * /dev/shm), one at a time from one client: which are index look-ups and which scan a collection.
 *   node -r ts-node/register/transpile-only bench/ferretdb-ops.ts [--docs 1000] [--mongo-url URL]
 * Without --mongo-url it starts a private FerretDB for the run and stops it after. A second table
 * shows which operations by `_id` grow with the size of the collection.
 */
import fs from 'node:fs';
import { MongoClient, ObjectId, type Db } from 'mongodb';

/** Documents of any shape, _id of any type (the shop uses strings for orders, events and views). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;
import { startFerretDb } from '../scripts/infra/ferretdb';
import { runAllCleanups } from '../scripts/infra/processes';
import { assertLoopback } from './lib/http';
import { benchProduct, CATEGORIES } from './lib/seed';
import { Samples } from './lib/stats';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1] : undefined;
};
const DOCS = Number(arg('docs') ?? 1000);
const ROUNDS = Number(arg('rounds') ?? 200);

function product(n: number): Doc {
  return { _id: new ObjectId(), ...benchProduct(n), version: 1 };
}

async function time(label: string, rounds: number, op: (i: number) => Promise<unknown>): Promise<[string, ReturnType<Samples['summary']>]> {
  const samples = new Samples();
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await op(i);
    samples.record(performance.now() - started);
  }
  return [label, samples.summary()];
}

async function measure(db: Db): Promise<Array<[string, ReturnType<Samples['summary']>]>> {
  const products = db.collection<Doc>('products');
  const orders = db.collection<Doc>('orders');
  const docs = Array.from({ length: DOCS }, (_, n) => product(n));
  await products.insertMany(docs);
  await orders.insertMany(
    Array.from({ length: DOCS }, (_, n) => ({
      _id: `customer-${n % 200}-${n}`,
      customerId: `customer-${n % 200}`,
      amount: n,
      items: [{ product: product(n), unit: 1 }],
      createdAt: new Date(),
    })),
  );
  const customers = db.collection<Doc>('customers');
  await customers.createIndex({ email: 1 }, { unique: true });
  await customers.insertMany(
    Array.from({ length: 200 }, (_, n) => ({ email: `bench-${n}@bench.test`, passwordHash: 'x'.repeat(60), phone: '', role: 'customer', address: [], wishlist: [] })),
  );
  const id = (i: number) => docs[(i * 7) % DOCS]!._id as ObjectId;
  const rows: Array<[string, ReturnType<Samples['summary']>]> = [];
  rows.push(await time('findOne({_id}) (GET /:id before the cache, carts, replicas)', ROUNDS, (i) => products.findOne({ _id: id(i) })));
  rows.push(await time('findOne({email}) in 200 customers, unique index (log-in)', ROUNDS, (i) => customers.findOne({ email: `bench-${i % 200}@bench.test` })));
  rows.push(
    await time('find({_id: {$in: 3 ids}}) (pricing an order, reserving stock)', ROUNDS / 4, (i) => products.find({ _id: { $in: [id(i), id(i + 1), id(i + 2)] } }).toArray()),
  );
  rows.push(await time(`find().sort({_id: 1}) all ${DOCS} (catalogue reload)`, 20, () => products.find().sort({ _id: 1 }).toArray()));
  rows.push(
    await time('find({type}).sort({_id: 1}) (a category)', 20, (i) =>
      products
        .find({ type: CATEGORIES[i % CATEGORIES.length] })
        .sort({ _id: 1 })
        .toArray(),
    ),
  );
  rows.push(
    await time('find().sort().skip().limit(20) + countDocuments (GET /products?page=)', 20, (i) =>
      Promise.all([
        products
          .find({})
          .sort({ _id: 1 })
          .skip((i % 50) * 20)
          .limit(20)
          .toArray(),
        products.countDocuments({}),
      ]),
    ),
  );
  rows.push(
    await time(`find({customerId}) in ${DOCS} orders (GET /shopping/orders)`, 50, (i) =>
      orders
        .find({ customerId: `customer-${i % 200}` })
        .sort({ createdAt: -1 })
        .toArray(),
    ),
  );
  rows.push(
    await time('insertOne (an order, an outbox entry, a processed event)', ROUNDS, (i) =>
      db.collection<Doc>('outbox').insertOne({ _id: `event-${i}`, seq: i, envelope: { type: 'x', data: docs[i % DOCS] }, createdAt: new Date() }),
    ),
  );
  rows.push(await time('find().sort({seq: 1}).limit(100) on the outbox (the relay)', 50, () => db.collection('outbox').find().sort({ seq: 1 }).limit(100).toArray()));
  rows.push(await time('deleteOne({_id}) (outbox entry relayed)', ROUNDS, (i) => db.collection<Doc>('outbox').deleteOne({ _id: `event-${i}` })));
  rows.push(
    await time('replaceOne({_id}, upsert) (a customer view, a replica product)', ROUNDS, (i) =>
      products.replaceOne({ _id: id(i) }, { ...docs[(i * 7) % DOCS]!, version: 2 + i }, { upsert: true }),
    ),
  );
  rows.push(
    await time('findOneAndUpdate({_id, version}) (stock, a cart)', ROUNDS, (i) => products.findOneAndUpdate({ _id: id(i) }, { $inc: { version: 1 } }, { returnDocument: 'after' })),
  );
  return rows;
}

/**
 * The same `_id` operations on collections of growing size: a look-up that finds its document and
 * an insert cost the same at any size, while a look-up that finds nothing, an update, a replace and
 * a delete by `_id` grow with the collection (FerretDB 1.24's SQLite backend reads every row then).
 */
async function measureBySize(db: Db): Promise<string[]> {
  const lines = [
    '| collection size | findOne({_id}) | findOne({_id}) of an absent id | insertOne | updateOne({_id}) | replaceOne({_id}) | deleteOne({_id}) |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const size of [10, 1000, 5000]) {
    const collection = db.collection<Doc>(`sized_${size}`);
    await collection.insertMany(Array.from({ length: size }, (_, n) => ({ ...product(n), _id: `doc-${n}` })));
    const key = (i: number) => `doc-${(i * 7) % size}`;
    const rounds = 50;
    const cells = [
      await time('find', rounds, (i) => collection.findOne({ _id: key(i) })),
      await time('find absent', rounds, (i) => collection.findOne({ _id: `absent-${i}` })),
      await time('insert', rounds, (i) => collection.insertOne({ ...product(i), _id: `new-${i}` })),
      await time('update', rounds, (i) => collection.updateOne({ _id: key(i) }, { $set: { stock: i } })),
      await time('replace', rounds, (i) => collection.replaceOne({ _id: key(i) }, { ...product(i), _id: key(i), stock: i })),
      await time('delete', rounds, (i) => collection.deleteOne({ _id: `new-${i}` })),
    ].map(([, summary]) => `${summary.p50} ms`);
    lines.push(`| ${size} | ${cells.join(' | ')} |`);
  }
  return lines;
}

/** An order as shopping stores it: one line with the product snapshot an order keeps. */
function storedOrder(customerId: string, n: number): Doc {
  const { name, price, banner, type, desc } = benchProduct(n);
  const at = new Date(Date.now() - n * 1000);
  return {
    _id: `${customerId}-${n}`,
    customerId,
    items: [{ product: { _id: new ObjectId().toHexString(), name, desc, price, banner, type }, unit: 1 }],
    amount: price,
    status: 'confirmed',
    txnNumber: null,
    cartVersion: n,
    createdAt: at,
    announced: true,
    updatedAt: at,
  };
}

/**
 * One shopper's order list and customer view with 1 order and with 150 (the history case of the
 * benchmark), among other shoppers' orders, with the shop's index: what the engine's part is.
 */
async function measureHistory(db: Db): Promise<string[]> {
  const orders = db.collection<Doc>('history_orders');
  await orders.createIndex({ customerId: 1, createdAt: -1 });
  const others = Array.from({ length: 2000 }, (_, n) => storedOrder(`other-${n % 100}`, n));
  await orders.insertMany([...others, storedOrder('one', 0), ...Array.from({ length: 150 }, (_, n) => storedOrder('many', n))]);
  // The customer view's orders as customer keeps them: a document per order, indexed like the profile lists them.
  const viewOrders = db.collection<Doc>('history_customer_orders');
  await viewOrders.createIndex({ customerId: 1, date: -1, _id: -1 });
  const viewOrder = (customerId: string, n: number) => {
    const { _id, amount, status, items, txnNumber, createdAt } = storedOrder(customerId, n);
    return { _id, customerId, amount, status, items, txnNumber, date: createdAt };
  };
  await viewOrders.insertMany([
    ...Array.from({ length: 2000 }, (_, n) => viewOrder(`other-${n % 100}`, n)),
    viewOrder('one', 0),
    ...Array.from({ length: 150 }, (_, n) => viewOrder('many', n)),
  ]);
  const lines = ['| operation | 1 order: p50 ms | 150 orders: p50 ms | x |', '| --- | ---: | ---: | ---: |'];
  const row = async (label: string, op: (customerId: string) => Promise<unknown>): Promise<void> => {
    const [, one] = await time(label, 50, () => op('one'));
    const [, many] = await time(label, 50, () => op('many'));
    lines.push(`| ${label} | ${one.p50} | ${many.p50} | ${Math.round((many.p50 / one.p50) * 10) / 10} |`);
  };
  await row('orders: find({customerId}).sort({createdAt: -1, _id: -1}) (GET /shopping/orders)', (customerId) =>
    orders.find({ customerId }).sort({ createdAt: -1, _id: -1 }).toArray(),
  );
  await row('orders: the same in one batch (batchSize 1000: no getMore)', (customerId) => orders.find({ customerId }).sort({ createdAt: -1, _id: -1 }).batchSize(1000).toArray());
  await row('orders: find({customerId}), no sort, one batch', (customerId) => orders.find({ customerId }).batchSize(1000).toArray());
  await row('customer view: find({customerId}).sort({date: -1, _id: -1}) (GET /customer/profile)', (customerId) =>
    viewOrders.find({ customerId }).sort({ date: -1, _id: -1 }).toArray(),
  );
  return lines;
}

async function main(): Promise<void> {
  let url = arg('mongo-url');
  let stop = async (): Promise<void> => undefined;
  let dataDir: string | undefined;
  if (!url) {
    dataDir = fs.mkdtempSync('/dev/shm/ferretdb-ops-');
    const ferret = await startFerretDb({ dataDir });
    url = ferret.url;
    stop = ferret.stop;
  }
  assertLoopback(url.replace(/^mongodb:/, 'http:'));
  const client = await new MongoClient(url).connect();
  try {
    const db = client.db(`ops_${Date.now()}`);
    const rows = await measure(db);
    console.log(`| operation (${DOCS} documents) | n | p50 ms | p99 ms |`, '\n| --- | ---: | ---: | ---: |');
    for (const [label, s] of rows) console.log(`| ${label} | ${s.count} | ${s.p50} | ${s.p99} |`);
    console.log(`\nOperations by _id, p50 of 50, by collection size:\n`);
    for (const line of await measureBySize(db)) console.log(line);
    console.log(`\nOne shopper's orders and view, 1 order and 150, p50 of 50:\n`);
    for (const line of await measureHistory(db)) console.log(line);
    await db.dropDatabase();
  } finally {
    await client.close();
    await stop();
    await runAllCleanups();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
