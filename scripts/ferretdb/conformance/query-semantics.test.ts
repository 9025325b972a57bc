import { Double, Int32, Long, MongoServerError, ObjectId, type Collection, type Filter, type IndexSpecification, type Sort } from 'mongodb';
import { openConformanceDatabase, type ConformanceDatabase } from './conformance-database';

// What MongoDB's manual says a query returns, on collections indexed on the queried fields, so
// that an engine which answers from an index must give the same answers as one that scans.

interface Probe {
  _id: string;
  [field: string]: unknown;
}

let database: ConformanceDatabase;
let collectionCount = 0;

beforeAll(async () => {
  database = await openConformanceDatabase('querysemantics');
});

afterAll(async () => {
  await database?.close();
});

/** A new collection with these indexes, then these documents. */
async function collectionOf(indexes: IndexSpecification[], documents: Probe[], unique = false): Promise<Collection<Probe>> {
  collectionCount += 1;
  const collection = database.db.collection<Probe>(`c${collectionCount}`);
  for (const index of indexes) await collection.createIndex(index, { unique });
  if (documents.length > 0) await collection.insertMany(documents);
  return collection;
}

/** The _ids a query finds: in their order when it sorts, else alphabetically. */
async function idsFound(collection: Collection<Probe>, filter: Filter<Probe>, sort?: Sort): Promise<string[]> {
  const documents = await collection.find(filter, { projection: { _id: 1 }, ...(sort ? { sort } : {}) }).toArray();
  const ids = documents.map((document) => document._id);
  return sort ? ids : ids.sort();
}

/** The error code a write fails with, or 'succeeded'. */
async function errorCodeOf(write: () => Promise<unknown>): Promise<number | string | undefined> {
  try {
    await write();
    return 'succeeded';
  } catch (error) {
    return error instanceof MongoServerError ? error.code : String(error);
  }
}

describe('arrays on an indexed field', () => {
  const first = new ObjectId();
  const second = new ObjectId();
  let collection: Collection<Probe>;

  beforeAll(async () => {
    collection = await collectionOf(
      [{ s: 1 }, { n: 1 }, { o: 1 }],
      [
        { _id: 'scalar', s: 'a', n: 5, o: first },
        { _id: 'array', s: ['x', 'a'], n: [1, 5], o: [second, first] },
        { _id: 'other', s: ['b'], n: [6], o: [second] },
        { _id: 'split', n: [2, 10] },
        { _id: 'empty', s: [], n: [], o: [] },
      ],
    );
  });

  it('When matching a string, a number or an ObjectId by equality, then arrays holding it match too', async () => {
    expect(await idsFound(collection, { s: 'a' })).toEqual(['array', 'scalar']);
    expect(await idsFound(collection, { n: 5 })).toEqual(['array', 'scalar']);
    expect(await idsFound(collection, { o: first })).toEqual(['array', 'scalar']);
  });

  it('When matching a range, then arrays with an element in it match', async () => {
    expect(await idsFound(collection, { n: { $gte: 6 } })).toEqual(['other', 'split']);
    expect(await idsFound(collection, { n: { $lt: 2 } })).toEqual(['array']);
  });

  it('When a range has two bounds, then an array matches if some element meets each bound', async () => {
    expect(await idsFound(collection, { n: { $gt: 4, $lt: 6 } })).toEqual(['array', 'scalar', 'split']);
  });

  it('When $elemMatch has two bounds, then an array matches only if one element meets both, and a scalar never', async () => {
    expect(await idsFound(collection, { n: { $elemMatch: { $gt: 4, $lt: 6 } } })).toEqual(['array']);
  });
});

describe('null and missing fields on an indexed field', () => {
  let collection: Collection<Probe>;

  beforeAll(async () => {
    collection = await collectionOf([{ x: 1 }], [{ _id: 'null', x: null }, { _id: 'missing' }, { _id: 'one', x: 1 }]);
  });

  it('When matching null, then documents where the field is null or missing match', async () => {
    expect(await idsFound(collection, { x: null })).toEqual(['missing', 'null']);
    expect(await idsFound(collection, { x: { $ne: null } })).toEqual(['one']);
  });

  it('When matching $exists or $type null, then missing and null are told apart', async () => {
    expect(await idsFound(collection, { x: { $exists: false } })).toEqual(['missing']);
    expect(await idsFound(collection, { x: { $exists: true } })).toEqual(['null', 'one']);
    expect(await idsFound(collection, { x: { $type: 'null' } })).toEqual(['null']);
  });
});

describe('numbers of different BSON types on an indexed field', () => {
  const one = ['double', 'int', 'long'];
  let collection: Collection<Probe>;

  beforeAll(async () => {
    collection = await collectionOf(
      [{ n: 1 }],
      [
        { _id: 'int', n: new Int32(1) },
        { _id: 'long', n: Long.fromNumber(1) },
        { _id: 'double', n: new Double(1) },
        { _id: 'half', n: new Double(1.5) },
        { _id: 'two', n: new Int32(2) },
        { _id: 'string', n: '1' },
      ],
    );
  });

  it('When matching 1 as an int, a long or a double, then all three kinds of 1 match', async () => {
    expect(await idsFound(collection, { n: new Int32(1) })).toEqual(one);
    expect(await idsFound(collection, { n: Long.fromNumber(1) })).toEqual(one);
    expect(await idsFound(collection, { n: new Double(1) })).toEqual(one);
  });

  it('When matching $in or a range around 1, then all three kinds of 1 match', async () => {
    expect(await idsFound(collection, { n: { $in: [Long.fromNumber(1)] } })).toEqual(one);
    expect(await idsFound(collection, { n: { $in: [new Double(1), new Int32(7)] } })).toEqual(one);
    expect(await idsFound(collection, { n: { $gte: new Double(1), $lt: new Double(1.5) } })).toEqual(one);
    expect(await idsFound(collection, { n: { $gt: Long.fromNumber(1) } })).toEqual(['half', 'two']);
  });

  it('When a range is on numbers, then strings do not match, and the other way round', async () => {
    expect(await idsFound(collection, { n: { $lt: 100 } })).toEqual(['double', 'half', 'int', 'long', 'two']);
    expect(await idsFound(collection, { n: { $gte: '' } })).toEqual(['string']);
    expect(await idsFound(collection, { n: '1' })).toEqual(['string']);
  });
});

describe('dates on an indexed field', () => {
  const start2020 = new Date(Date.UTC(2020, 0, 1));
  let collection: Collection<Probe>;

  beforeAll(async () => {
    collection = await collectionOf(
      [{ d: 1 }],
      [
        { _id: 'd2020', d: start2020 },
        { _id: 'd2021', d: new Date(Date.UTC(2021, 5, 1)) },
        { _id: 'number', d: start2020.getTime() },
        { _id: 'string', d: '2020-06-01' },
      ],
    );
  });

  it('When matching a date range, then only dates in it match, never numbers or strings', async () => {
    expect(await idsFound(collection, { d: { $gte: start2020, $lt: new Date(Date.UTC(2021, 0, 1)) } })).toEqual(['d2020']);
    expect(await idsFound(collection, { d: { $gt: new Date(0) } })).toEqual(['d2020', 'd2021']);
  });

  it('When matching a date by equality, then a number of the same milliseconds does not match it', async () => {
    expect(await idsFound(collection, { d: start2020 })).toEqual(['d2020']);
    expect(await idsFound(collection, { d: start2020.getTime() })).toEqual(['number']);
  });
});

describe.each([
  ['with an index on a.b', [{ 'a.b': 1 }]],
  ['without an index', []],
])('dotted paths %s', (_label, indexes: IndexSpecification[]) => {
  let collection: Collection<Probe>;

  beforeAll(async () => {
    collection = await collectionOf(indexes, [
      { _id: 'object', a: { b: 1 } },
      { _id: 'array-of-objects', a: [{ b: 2 }, { b: 1 }] },
      { _id: 'other-objects', a: [{ b: 2 }] },
      { _id: 'array-in-object', a: { b: [3, 1] } },
      { _id: 'scalar', a: 1 },
      { _id: 'sibling', a: { c: 1 } },
    ]);
  });

  it('When matching a.b by equality, then objects and arrays of objects and arrays under b match', async () => {
    expect(await idsFound(collection, { 'a.b': 1 })).toEqual(['array-in-object', 'array-of-objects', 'object']);
  });

  it('When matching a.b by a range, then any element in range matches', async () => {
    expect(await idsFound(collection, { 'a.b': { $gt: 1 } })).toEqual(['array-in-object', 'array-of-objects', 'other-objects']);
  });
});

describe('strings on a unique index', () => {
  const strings = [
    `it's "quoted"`,
    'back\\slash',
    '<a href="x">&amp;</a>',
    'Grüße, Ünïcödé',
    'caf\u00e9',
    'cafe\u0301',
    '🛒🎉',
    ' spaces around ',
    'spaces around',
    '',
    'tab\tand\nnewline',
    "'; DROP TABLE products; --",
    '{"$gt": ""}',
    '%',
    '_',
    'a%b_c',
    '$dollar',
    'Alice@Example.test',
    'alice@example.test',
  ];
  let collection: Collection<Probe>;

  beforeAll(async () => {
    collection = await collectionOf(
      [{ s: 1 }],
      strings.map((s, index) => ({ _id: `s${String(index).padStart(2, '0')}`, s })),
      true,
    );
  });

  it('When matching each string by equality, then exactly its own document matches (byte for byte, case-sensitive)', async () => {
    const found = await Promise.all(strings.map((s) => idsFound(collection, { s })));
    expect(found).toEqual(strings.map((_, index) => [`s${String(index).padStart(2, '0')}`]));
  });

  it('When matching them all with $in, then all match', async () => {
    expect(await idsFound(collection, { s: { $in: strings } })).toHaveLength(strings.length);
  });
});

describe('unique indexes', () => {
  it('When inserting a value a unique index already holds, then it fails with code 11000', async () => {
    const collection = await collectionOf([{ email: 1 }], [{ _id: 'first', email: 'a@shop.test' }], true);
    expect(await errorCodeOf(() => collection.insertOne({ _id: 'second', email: 'a@shop.test' }))).toBe(11000);
    expect(await collection.countDocuments()).toBe(1);
  });

  it('When inserting 1.0 or a long 1 where a unique index holds the int 1, then it fails with code 11000', async () => {
    const collection = await collectionOf([{ n: 1 }], [{ _id: 'int', n: new Int32(1) }], true);
    expect(await errorCodeOf(() => collection.insertOne({ _id: 'double', n: new Double(1) }))).toBe(11000);
    expect(await errorCodeOf(() => collection.insertOne({ _id: 'long', n: Long.fromNumber(1) }))).toBe(11000);
    expect(await collection.countDocuments()).toBe(1);
  });

  it('When an update sets a value a unique index already holds, then it fails with code 11000', async () => {
    const collection = await collectionOf(
      [{ email: 1 }],
      [
        { _id: 'a', email: 'a@shop.test' },
        { _id: 'b', email: 'b@shop.test' },
      ],
      true,
    );
    expect(await errorCodeOf(() => collection.updateOne({ _id: 'b' }, { $set: { email: 'a@shop.test' } }))).toBe(11000);
    expect(await idsFound(collection, { email: 'b@shop.test' })).toEqual(['b']);
  });
});

describe('$ne and $nin on an indexed field', () => {
  let collection: Collection<Probe>;

  beforeAll(async () => {
    collection = await collectionOf(
      [{ v: 1 }],
      [{ _id: 'one', v: 1 }, { _id: 'two', v: 2 }, { _id: 'three', v: 3 }, { _id: 'array', v: [1, 4] }, { _id: 'null', v: null }, { _id: 'missing' }],
    );
  });

  it('When matching $ne, then documents without the value match, missing and null included, arrays holding it excluded', async () => {
    expect(await idsFound(collection, { v: { $ne: 1 } })).toEqual(['missing', 'null', 'three', 'two']);
    expect(await idsFound(collection, { v: { $ne: 4 } })).toEqual(['missing', 'null', 'one', 'three', 'two']);
  });

  it('When matching $nin, then documents holding none of the values match', async () => {
    expect(await idsFound(collection, { v: { $nin: [1, 2] } })).toEqual(['missing', 'null', 'three']);
  });
});

describe('sorting mixed types on an indexed field', () => {
  // MongoDB's BSON comparison order: null (and a missing field, which sorts as null) < numbers
  // (compared by value across int, long and double) < strings < objects < ObjectId < booleans
  // (false < true) < dates. Ties are broken by _id here.
  const ascending = ['a-null', 'b-missing', 'c-int', 'd-double', 'e-long', 'f-string-a', 'g-string-b', 'h-object', 'i-objectid', 'j-false', 'k-true', 'l-date'];
  let collection: Collection<Probe>;

  beforeAll(async () => {
    collection = await collectionOf(
      [{ v: 1 }],
      [
        { _id: 'l-date', v: new Date(Date.UTC(2020, 0, 1)) },
        { _id: 'g-string-b', v: 'b' },
        { _id: 'e-long', v: Long.fromNumber(2) },
        { _id: 'k-true', v: true },
        { _id: 'a-null', v: null },
        { _id: 'h-object', v: { x: 1 } },
        { _id: 'c-int', v: new Int32(1) },
        { _id: 'j-false', v: false },
        { _id: 'f-string-a', v: 'a' },
        { _id: 'i-objectid', v: new ObjectId() },
        { _id: 'b-missing' },
        { _id: 'd-double', v: new Double(1.5) },
      ],
    );
  });

  it('When sorting ascending, then the documents follow the BSON comparison order', async () => {
    expect(await idsFound(collection, {}, { v: 1, _id: 1 })).toEqual(ascending);
  });

  it('When sorting descending, then they follow it backwards', async () => {
    const descending = [...ascending.slice(2).reverse(), 'a-null', 'b-missing'];
    expect(await idsFound(collection, {}, { v: -1, _id: 1 })).toEqual(descending);
  });
});

describe('upserts and the document they insert', () => {
  // The manual: an upsert that matches nothing inserts a document built from the filter's equality
  // conditions, then applies the update operators to it; $setOnInsert sets its fields as given.
  const cart = [{ product: 'p1', unit: 2 }];
  let collection: Collection<Probe>;

  beforeAll(async () => {
    collection = await collectionOf([], []);
  });

  /** The stored document of an upsert that inserted, without its _id. */
  async function inserted(filter: Filter<Probe>, update: object): Promise<object | null> {
    const { upsertedCount } = await collection.updateOne(filter, update, { upsert: true });
    expect(upsertedCount).toBe(1);
    return collection.findOne({ _id: filter._id as string }, { projection: { _id: 0 } });
  }

  it('When $setOnInsert gives an empty array, then the inserted document holds it', async () => {
    expect(await inserted({ _id: 'soi-empty-array' }, { $set: { cart }, $setOnInsert: { orders: [] } })).toEqual({ cart, orders: [] });
  });

  it('When $setOnInsert gives null, then the inserted document holds the field as null', async () => {
    expect(await inserted({ _id: 'soi-null' }, { $set: { cart }, $setOnInsert: { none: null } })).toEqual({ cart, none: null });
  });

  it('When $setOnInsert gives an empty object or a non-empty array, then the inserted document holds them', async () => {
    expect(await inserted({ _id: 'soi-others' }, { $set: { cart }, $setOnInsert: { profile: {}, tags: ['a'] } })).toEqual({ cart, profile: {}, tags: ['a'] });
  });

  it('When $set gives an empty array or an empty object, then the inserted document holds them', async () => {
    expect(await inserted({ _id: 'set-empty' }, { $set: { cart: [], profile: {} } })).toEqual({ cart: [], profile: {} });
  });

  it("When the filter's equality conditions name an empty array, an empty object or null, then the inserted document holds them", async () => {
    expect(await inserted({ _id: 'filter-empty', orders: [], profile: {}, none: null }, { $set: { cart } })).toEqual({ orders: [], profile: {}, none: null, cart });
  });

  it('When findOneAndUpdate upserts with $setOnInsert of an empty array, then the document it returns and stores holds it', async () => {
    const returned = await collection.findOneAndUpdate({ _id: 'fam-empty-array' }, { $set: { cart }, $setOnInsert: { orders: [] } }, { upsert: true, returnDocument: 'after' });
    expect(returned).toEqual({ _id: 'fam-empty-array', cart, orders: [] });
    expect(await collection.findOne({ _id: 'fam-empty-array' })).toEqual({ _id: 'fam-empty-array', cart, orders: [] });
  });

  it('When an upsert matches a stored document, then $setOnInsert changes nothing', async () => {
    await collection.insertOne({ _id: 'soi-matched', orders: ['kept'] });
    await collection.updateOne({ _id: 'soi-matched' }, { $set: { cart }, $setOnInsert: { orders: [] } }, { upsert: true });
    expect(await collection.findOne({ _id: 'soi-matched' }, { projection: { _id: 0 } })).toEqual({ orders: ['kept'], cart });
  });
});

describe('commands of many statements', () => {
  test('When an update command carries 150 statements, then every one is applied (MongoDB takes up to 100,000 a batch)', async () => {
    const documents = Array.from({ length: 150 }, (_, n) => ({ _id: `many-${n}`, version: 1, seen: false }));
    const collection = await collectionOf([], documents);
    const statements = documents.map(({ _id }) => ({ updateOne: { filter: { _id, version: 1 }, update: { $set: { seen: true } } } }));
    let timer: NodeJS.Timeout | undefined;
    // An engine that waits for ever would hold the test until jest's timeout: fail it sooner, by name.
    const stuck = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the update command did not answer within 10 s')), 10_000);
    });
    try {
      const result = await Promise.race([collection.bulkWrite(statements, { ordered: false }), stuck]);
      expect(result.modifiedCount).toBe(150);
    } finally {
      clearTimeout(timer);
    }
    expect(await collection.countDocuments({ seen: true })).toBe(150);
  });
});
