import { CatalogueEvents, type ProductSnapshot } from '../contracts/catalogue-events';
import { startTestConsumer, type TestConsumer } from '../testing/consumer-batches';
import { eventually, shuffled } from '../testing';
import { CatalogueReplica } from './catalogue-replica';

// The replica fed by the batching consumer, on FerretDB, with the commands it sends counted.
let consumer: TestConsumer;
let replica: CatalogueReplica;

beforeAll(async () => {
  consumer = await startTestConsumer('replica', (connection) => new CatalogueReplica(connection).handlers());
  replica = new CatalogueReplica(consumer.reads);
});

afterAll(() => consumer.stop());

let products = 0;
function aProduct(): { productId: string; at: (version: number, changes?: object) => object } {
  const productId = `product-${++products}-${Date.now()}`;
  const fields = { name: 'Apples', desc: 'crisp', type: 'fruits', banner: '/a.jpg', unit: 1, price: 140, available: true, suplier: 'Orchard', stock: 100 };
  return { productId, at: (version, changes = {}) => ({ productId, ...fields, ...changes, version }) };
}

const writes = (productId: string): number => consumer.commands.count('update', 'catalogue_replica', productId);
const reads = (productId: string): number => consumer.commands.count('find', 'catalogue_replica', productId);

describe('catalogue replica: events applied in batches', () => {
  test("When a product's changes come together, then only the newest is written, once", async () => {
    const product = aProduct();
    await consumer.inOneBatch(async () => {
      await consumer.probe.publish(CatalogueEvents.productCreated, product.at(1));
      for (let version = 2; version <= 10; version++) await consumer.probe.publish(CatalogueEvents.productUpdated, product.at(version, { stock: 100 - version }));
    });
    await eventually(async () => expect(await replica.find(product.productId)).toMatchObject({ version: 10, stock: 90 }));
    expect(writes(product.productId)).toBe(1);
  });

  test('When an older version or the same one comes again, then the replica keeps the newest and writes nothing', async () => {
    const product = aProduct();
    await consumer.probe.publish(CatalogueEvents.productCreated, product.at(5, { price: 500 }));
    await eventually(async () => expect(await replica.find(product.productId)).toMatchObject({ version: 5 }));
    await consumer.inOneBatch(async () => {
      await consumer.probe.publish(CatalogueEvents.productUpdated, product.at(3, { price: 300 }));
      await consumer.probe.publish(CatalogueEvents.productUpdated, product.at(5, { price: 500 }));
    });
    await consumer.drained();
    expect(writes(product.productId)).toBe(1);
    // A lone change is one guarded write, never preceded by a read: an older one changes nothing.
    await consumer.probe.publish(CatalogueEvents.productUpdated, product.at(4, { price: 400 }));
    await consumer.drained();
    expect(await replica.find(product.productId)).toMatchObject({ version: 5, price: 500 });
    expect(writes(product.productId)).toBe(2);
    expect(reads(product.productId)).toBe(1);
  });

  test('When a product changes alone, then the change is one write and no read', async () => {
    const product = aProduct();
    await consumer.probe.publish(CatalogueEvents.productCreated, product.at(1));
    await eventually(async () => expect(await replica.find(product.productId)).toMatchObject({ version: 1 }));
    await consumer.probe.publish(CatalogueEvents.productUpdated, product.at(2, { stock: 99 }));
    await eventually(async () => expect(await replica.find(product.productId)).toMatchObject({ version: 2, stock: 99 }));
    expect(writes(product.productId)).toBe(2);
    expect(reads(product.productId)).toBe(0);
  });

  test('When a product is created, changed and deleted in one batch, then it is known as deleted with its last fields', async () => {
    const product = aProduct();
    await consumer.inOneBatch(async () => {
      await consumer.probe.publish(CatalogueEvents.productCreated, product.at(1));
      await consumer.probe.publish(CatalogueEvents.productUpdated, product.at(2, { name: 'Green apples' }));
      await consumer.probe.publish(CatalogueEvents.productDeleted, { productId: product.productId, version: 3 });
      await consumer.probe.publish(CatalogueEvents.productUpdated, product.at(2, { name: 'Green apples' })); // late, older
    });
    await eventually(async () => expect(await replica.findIncludingDeleted(product.productId)).toMatchObject({ version: 3, deleted: true, name: 'Green apples' }));
    expect(await replica.find(product.productId)).toBeUndefined();
    expect(writes(product.productId)).toBe(1);
  });

  test('When several products change in one batch, then each gets its own newest version', async () => {
    const batch = [aProduct(), aProduct(), aProduct()];
    await consumer.inOneBatch(async () => {
      for (let version = 1; version <= 3; version++)
        for (const product of batch) await consumer.probe.publish(CatalogueEvents.productUpdated, product.at(version, { stock: version }));
    });
    for (const product of batch) {
      await eventually(async () => expect(await replica.find(product.productId)).toMatchObject({ version: 3, stock: 3 }));
      expect(writes(product.productId)).toBe(1);
    }
  });
});

describe('catalogue replica: two instances side by side', () => {
  test("When two instances apply a product's versions at the same time in a shuffled order, then each product ends at its newest version", async () => {
    const instances = [new CatalogueReplica(consumer.connection), replica];
    const batch = Array.from({ length: 10 }, aProduct);
    await Promise.all(
      batch.flatMap((product) =>
        shuffled([1, 2, 3, 4, 5, 6, 7, 8]).map((version, i) => {
          const snapshot = product.at(version, { stock: version }) as ProductSnapshot;
          return instances[i % 2]!.apply(product.productId, [{ kind: 'snapshot', productId: product.productId, version, snapshot }]);
        }),
      ),
    );
    for (const product of batch) expect(await replica.find(product.productId)).toMatchObject({ version: 8, stock: 8 });
  });
});
