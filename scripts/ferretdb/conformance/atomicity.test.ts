import { ObjectId, type Collection, type Document } from 'mongodb';
import { openConformanceDatabase, race, type ConformanceDatabase } from './conformance-database';

// MongoDB applies each single-document write atomically: concurrent writes to one document are
// serialised, and each sees the effect of the ones before it. These tests race many writes
// against one document and check that none was lost and no guard let two writers through.
// A race that goes wrong only sometimes is run several rounds (a fresh document each), and every
// round must come out right. Races with a narrow window (a guard lets two racers through only
// when both read the document before either writes; an upsert inserts twice only when both
// looked before either inserted) get more rounds.
const ROUNDS = 5;
const NARROW_ROUNDS = 15;

let database: ConformanceDatabase;
let collectionCount = 0;

beforeAll(async () => {
  database = await openConformanceDatabase('atomicity');
});

afterAll(async () => {
  await database?.close();
});

/** A new, empty collection for one test. */
function freshCollection(): Collection<Document> {
  collectionCount += 1;
  return database.db.collection(`c${collectionCount}`);
}

// A heavy field makes each write of the document take longer, so that racers overlap even when
// the server is quick; it is never returned (WITHOUT_BALLAST) so the assertions stay readable.
const BALLAST = { ballast: 'x'.repeat(30_000) };
const WITHOUT_BALLAST = { projection: { _id: 0, ballast: 0 } };

/** Inserts a document (with the ballast) under a new _id and returns the _id. */
async function insertWithId(collection: Collection<Document>, document: Document): Promise<ObjectId> {
  const _id = new ObjectId();
  await collection.insertOne({ _id, ...document, ...BALLAST });
  return _id;
}

/** Runs a race `rounds` times, one after the other, and returns what each round observed. */
async function inRounds<T>(round: (roundIndex: number) => Promise<T>, rounds = ROUNDS): Promise<T[]> {
  const observed: T[] = [];
  for (let roundIndex = 0; roundIndex < rounds; roundIndex += 1) observed.push(await round(roundIndex));
  return observed;
}

function everyRound<T>(expected: T, rounds = ROUNDS): T[] {
  return Array.from({ length: rounds }, () => expected);
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function ascending(values: number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, index) => from + index);
}

describe('$inc', () => {
  it('When 100 clients $inc one document at once, then n is 100', async () => {
    const collection = freshCollection();
    const observed = await inRounds(async () => {
      const _id = await insertWithId(collection, { n: 0 });
      await race(100, () => collection.updateOne({ _id }, { $inc: { n: 1 } }));
      return (await collection.findOne({ _id }, WITHOUT_BALLAST))!.n;
    });
    expect(observed).toEqual(everyRound(100));
  });

  it('When 50 clients $inc three fields of one document at once, then each field is 50', async () => {
    const collection = freshCollection();
    const observed = await inRounds(async () => {
      const _id = await insertWithId(collection, { a: 0, b: 0, c: 0 });
      await race(50, () => collection.updateOne({ _id }, { $inc: { a: 1, b: 1, c: 1 } }));
      return collection.findOne({ _id }, WITHOUT_BALLAST);
    });
    expect(observed).toEqual(everyRound({ a: 50, b: 50, c: 50 }));
  });
});

describe('guarded updates', () => {
  it('When 50 clients take one from a stock of 10 with a $gte guard, then exactly 10 succeed and the stock is 0', async () => {
    const collection = freshCollection();
    const observed = await inRounds(async () => {
      const _id = await insertWithId(collection, { stock: 10 });
      const results = await race(50, () => collection.findOneAndUpdate({ _id, stock: { $gte: 1 } }, { $inc: { stock: -1 } }));
      const stock = (await collection.findOne({ _id }, WITHOUT_BALLAST))!.stock;
      return { succeeded: results.filter((document) => document !== null).length, stock };
    });
    expect(observed).toEqual(everyRound({ succeeded: 10, stock: 0 }));
  });

  it('When 100 clients move a status from received to confirmed at once, then exactly one modifies it', async () => {
    const collection = freshCollection();
    const observed = await inRounds(async () => {
      const _id = await insertWithId(collection, { status: 'received' });
      const results = await race(100, () => collection.updateOne({ _id, status: 'received' }, { $set: { status: 'confirmed' } }));
      const { status } = (await collection.findOne({ _id }, WITHOUT_BALLAST))!;
      return { matched: sum(results.map((result) => result.matchedCount)), modified: sum(results.map((result) => result.modifiedCount)), status };
    }, NARROW_ROUNDS);
    expect(observed).toEqual(everyRound({ matched: 1, modified: 1, status: 'confirmed' }, NARROW_ROUNDS));
  });
});

describe('array updates', () => {
  /** Races `count` updates of one array and returns its elements in ascending order. */
  async function raceOnArray(collection: Collection<Document>, items: number[], count: number, update: (index: number) => Document): Promise<number[]> {
    const _id = await insertWithId(collection, { items });
    await race(count, (index) => collection.updateOne({ _id }, update(index)));
    return ascending((await collection.findOne({ _id }, WITHOUT_BALLAST))!.items);
  }

  it('When 40 clients $push distinct values at once, then the array holds all 40', async () => {
    const collection = freshCollection();
    const observed = await inRounds(() => raceOnArray(collection, [], 40, (index) => ({ $push: { items: index } })));
    expect(observed).toEqual(everyRound(range(0, 40)));
  });

  it('When 40 clients $addToSet 10 distinct values, each four times, at once, then the array holds each value once', async () => {
    const collection = freshCollection();
    const observed = await inRounds(() => raceOnArray(collection, [], 40, (index) => ({ $addToSet: { items: index % 10 } })));
    expect(observed).toEqual(everyRound(range(0, 10)));
  });

  it('When 40 clients $pull distinct values from an array holding them at once, then the array is empty', async () => {
    const collection = freshCollection();
    const observed = await inRounds(() => raceOnArray(collection, range(0, 40), 40, (index) => ({ $pull: { items: index } })));
    expect(observed).toEqual(everyRound([]));
  });

  it('When 20 clients $pull the values an array holds while 20 others $push new ones, then only the new ones remain', async () => {
    const collection = freshCollection();
    const pullOrPush = (index: number): Document => (index % 2 === 0 ? { $pull: { items: index / 2 } } : { $push: { items: 100 + (index - 1) / 2 } });
    const observed = await inRounds(() => raceOnArray(collection, range(0, 20), 40, pullOrPush));
    expect(observed).toEqual(everyRound(range(100, 20)));
  });
});

describe('upserts', () => {
  /** Races 20 upserts of one new key; returns n of each document of that key, and the errors. */
  async function raceUpserts(collection: Collection<Document>, key: string): Promise<{ n: number[]; errors: unknown[] }> {
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => collection.updateOne({ key }, { $inc: { n: 1 } }, { upsert: true })));
    const documents = await collection.find({ key }).toArray();
    const errors = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
    return { n: documents.map((document) => document.n), errors };
  }

  it('When 20 clients upsert one key with a unique index at once, then one document has n = 20', async () => {
    const collection = freshCollection();
    await collection.createIndex({ key: 1 }, { unique: true });
    // MongoDB retries an upsert whose insert hits the unique index of its own equality filter,
    // so none of them fails with a duplicate key error.
    const observed = await inRounds((roundIndex) => raceUpserts(collection, `k${roundIndex}`), NARROW_ROUNDS);
    expect(observed).toEqual(everyRound({ n: [20], errors: [] }, NARROW_ROUNDS));
  });

  // Without a unique index MongoDB may insert the key more than once (its manual says so), but
  // each upsert either inserts n = 1 or increments one document atomically: no increment is lost.
  it.each([
    ['a non-unique index', async (collection: Collection<Document>) => void (await collection.createIndex({ key: 1 }))],
    ['no index', async () => undefined],
  ])('When 20 clients upsert one key with %s at once, then the documents of that key hold n = 20 together', async (_label, prepare) => {
    const collection = freshCollection();
    await prepare(collection);
    const observed = await inRounds(async (roundIndex) => {
      const { n, errors } = await raceUpserts(collection, `k${roundIndex}`);
      return { total: sum(n), errors };
    }, NARROW_ROUNDS);
    expect(observed).toEqual(everyRound({ total: 20, errors: [] }, NARROW_ROUNDS));
  });
});

describe('updateMany', () => {
  it('When 20 clients $inc the same 10 documents with updateMany at once, then each n is 20', async () => {
    const collection = freshCollection();
    const observed = await inRounds(async (roundIndex) => {
      const group = `g${roundIndex}`;
      await collection.insertMany(range(0, 10).map((index) => ({ group, index, n: 0, ...BALLAST })));
      const results = await race(20, () => collection.updateMany({ group }, { $inc: { n: 1 } }));
      const documents = await collection.find({ group }, { sort: { index: 1 }, ...WITHOUT_BALLAST }).toArray();
      return { modified: results.map((result) => result.modifiedCount), n: documents.map((document) => document.n) };
    });
    expect(observed).toEqual(everyRound({ modified: Array(20).fill(10), n: Array(10).fill(20) }));
    expect(await collection.countDocuments({ n: { $ne: 20 } })).toBe(0);
  });
});

describe('deletes', () => {
  it('When 30 clients deleteOne the same document at once, then exactly one deletes it', async () => {
    const collection = freshCollection();
    const observed = await inRounds(async () => {
      const _id = await insertWithId(collection, { name: 'only' });
      const results = await race(30, () => collection.deleteOne({ _id }));
      return { deleted: sum(results.map((result) => result.deletedCount)), left: await collection.countDocuments({ _id }) };
    });
    expect(observed).toEqual(everyRound({ deleted: 1, left: 0 }));
  });

  it('When 30 clients findOneAndDelete the same document at once, then exactly one gets it', async () => {
    const collection = freshCollection();
    const observed = await inRounds(async () => {
      const _id = await insertWithId(collection, { name: 'only' });
      const results = await race(30, () => collection.findOneAndDelete({ _id }));
      const got = results.flatMap((document) => (document ? [document.name] : []));
      return { got, left: await collection.countDocuments({ _id }) };
    });
    expect(observed).toEqual(everyRound({ got: ['only'], left: 0 }));
  });
});

describe('optimistic concurrency with a version field', () => {
  it('When 100 clients replace a document read at version 0 at once, then exactly one replacement succeeds', async () => {
    const collection = freshCollection();
    const observed = await inRounds(async () => {
      const _id = await insertWithId(collection, { version: 0, owner: 'nobody' });
      const results = await race(100, (index) => collection.replaceOne({ _id, version: 0 }, { version: 1, owner: index }));
      const winners = results.flatMap((result, index) => (result.modifiedCount === 1 ? [index] : []));
      const stored = await collection.findOne({ _id }, WITHOUT_BALLAST);
      return { winners: winners.length, storedIsTheWinners: stored?.owner === winners[0] && stored?.version === 1 };
    }, NARROW_ROUNDS);
    expect(observed).toEqual(everyRound({ winners: 1, storedIsTheWinners: true }, NARROW_ROUNDS));
  });

  it('When 20 clients increment a counter by read, then write guarded by the version read, retrying on a conflict, then it is 20', async () => {
    const collection = freshCollection();
    const observed = await inRounds(async () => {
      const _id = await insertWithId(collection, { version: 0, count: 0 });
      await race(20, () => incrementWithRetry(collection, _id));
      return collection.findOne({ _id }, WITHOUT_BALLAST);
    });
    expect(observed).toEqual(everyRound({ version: 20, count: 20 }));
  });
});

/** Reads the counter and writes count + 1 unless another client wrote first, until it succeeds. */
async function incrementWithRetry(collection: Collection<Document>, _id: ObjectId): Promise<void> {
  // At least one client wins each round of reads, so no client needs more rounds than there are clients.
  for (let attempt = 1; attempt <= 20; attempt += 1) {
    const { version, count } = (await collection.findOne({ _id }, WITHOUT_BALLAST))!;
    const result = await collection.replaceOne({ _id, version }, { version: version + 1, count: count + 1 });
    if (result.modifiedCount === 1) return;
  }
  throw new Error('no write succeeded in 20 attempts');
}
