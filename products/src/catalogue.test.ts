import { CatalogueEvents, signAccessToken } from '@shop/common';
import { capturingLogger, eventually, EventProbe, testServiceConfig, testSigning, uniqueTestName } from '@shop/common/testing';
import request from 'supertest';
import { productsEnv } from './config';
import { productModel } from './database/models/product';
import { ProductRepository } from './database/product-repository';
import { SAMPLE_CATALOGUE } from './seed/sample-catalogue';
import { startProductsService, type ProductsService } from './service';

let service: ProductsService;
let probe: EventProbe;
let http: ReturnType<typeof request>;
let adminToken: string;
let isolation: string;
let customerToken: string;
let config: ReturnType<typeof testServiceConfig<typeof productsEnv>>;

const mango = { name: 'Alphonso Mango', desc: 'sweet', type: 'fruits', banner: '/images/m.jpg', unit: 1, price: 300, available: true, suplier: 'Golden Seed', stock: 10 };

beforeAll(async () => {
  isolation = uniqueTestName('products');
  config = testServiceConfig('products', productsEnv, isolation);
  probe = await new EventProbe(config.amqpUrl, config.exchange).start();
  service = await startProductsService(config, { handleSignals: false });
  http = request(service.server.server);
  const tokens = testSigning(config.tokens);
  adminToken = signAccessToken({ customerId: 'admin-1', role: 'admin' }, tokens);
  customerToken = signAccessToken({ customerId: 'customer-1', role: 'customer' }, tokens);
});

afterAll(async () => {
  await service.shutdown();
  await probe.stop();
});

const createProduct = (body: object, token = adminToken) => http.post('/product/create').set('Authorization', `Bearer ${token}`).send(body);

describe('products: the catalogue', () => {
  test('When an admin creates a product, then it is stored, listed, found by id and announced', async () => {
    const created = await createProduct(mango).expect(201);
    expect(created.body).toMatchObject({ ...mango, _id: expect.stringMatching(/^[a-f\d]{24}$/) });
    const id: string = created.body._id;

    const stored = await new ProductRepository(service.connection).findById(id);
    expect(stored).toMatchObject({ name: 'Alphonso Mango', stock: 10, version: 1 });

    const all = await http.get('/').expect(200);
    expect(all.body.products.map((p: { _id: string }) => p._id)).toContain(id);
    expect(all.body.categories).toContain('fruits');
    expect((await http.get(`/${id}`).expect(200)).body).toMatchObject({ _id: id, name: 'Alphonso Mango' });
    expect((await http.get('/category/fruits').expect(200)).body.map((p: { _id: string }) => p._id)).toContain(id);

    const event = await probe.waitFor((e) => e.type === CatalogueEvents.productCreated && (e.data as { productId: string }).productId === id);
    expect(event).toMatchObject({ source: 'products', data: { price: 300, stock: 10, version: 1 } });
  });

  test('When a product id is unknown or malformed, then 404 or 400 with the JSON error body', async () => {
    const unknown = await http.get('/000000000000000000000000').expect(404);
    expect(unknown.body).toEqual({ error: { code: 'PRODUCT_NOT_FOUND', message: expect.any(String) } });
    const malformed = await http.get('/not-an-id').expect(400);
    expect(malformed.body.error.code).toBe('VALIDATION_FAILED');
  });

  test('When products are asked for by a list of ids, then the known ones come back once each', async () => {
    const a = (await createProduct({ ...mango, name: 'A' }).expect(201)).body._id as string;
    const b = (await createProduct({ ...mango, name: 'B' }).expect(201)).body._id as string;
    const res = await http
      .post('/ids')
      .send({ ids: [a, b, a, '000000000000000000000000'] })
      .expect(200);
    expect(res.body.map((p: { _id: string }) => p._id)).toEqual([a, b]);
    await http.post('/ids').send({ ids: 'nope' }).expect(400);
    await http
      .post('/ids')
      .send({ ids: Array.from({ length: 501 }, () => a) })
      .expect(400);
  });

  test('When the catalogue is paged and searched, then pages hold the asked slice and the total', async () => {
    for (const name of ['Olive Oil', 'Mustard Oil', 'Coconut Oil']) await createProduct({ ...mango, name, type: 'oils' }).expect(201);
    const page1 = await http.get('/products?type=oils&page=1&limit=2').expect(200);
    expect(page1.body).toMatchObject({ total: 3, page: 1, limit: 2 });
    expect(page1.body.products).toHaveLength(2);
    const page2 = await http.get('/products?type=oils&page=2&limit=2').expect(200);
    expect(page2.body.products).toHaveLength(1);
    const search = await http.get('/products?q=coco').expect(200);
    expect(search.body.products.map((p: { name: string }) => p.name)).toEqual(['Coconut Oil']);
    // Search text is literal: a pattern that would backtrack forever matches nothing, quickly.
    expect((await http.get(`/products?q=${encodeURIComponent('(a+)+$')}`).expect(200)).body.total).toBe(0);
    await http.get('/products?page=0').expect(400);
    await http.get('/products?limit=1000').expect(400);
    // The query parser keeps brackets in the name: an operator smuggled that way is refused, not ignored.
    const smuggled = await http.get('/products?page[$gt]=1').expect(400);
    expect(smuggled.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'query', message: expect.stringContaining('page[$gt]') }] });
  });

  test('When an admin updates or deletes a product, then the change is stored and announced, and the fields left out keep their values', async () => {
    const id = (await createProduct({ ...mango, name: 'Pear' }).expect(201)).body._id as string;
    await http.put(`/product/${id}`).set('Authorization', `Bearer ${adminToken}`).send({}).expect(400);
    const updated = await http.put(`/product/${id}`).set('Authorization', `Bearer ${adminToken}`).send({ price: 99, stock: 3 }).expect(200);
    expect(updated.body).toEqual({ ...mango, _id: id, name: 'Pear', price: 99, stock: 3 });
    await probe.waitFor((e) => e.type === CatalogueEvents.productUpdated && (e.data as { productId: string; version: number }).productId === id);
    await http.delete(`/product/${id}`).set('Authorization', `Bearer ${adminToken}`).expect(200);
    await http.get(`/${id}`).expect(404);
    await probe.waitFor((e) => e.type === CatalogueEvents.productDeleted && (e.data as { productId: string }).productId === id);
    await http.delete(`/product/${id}`).set('Authorization', `Bearer ${adminToken}`).expect(404);
  });

  test('When another instance changes the catalogue, then this one follows from the events, without reading it again', async () => {
    const other = await startProductsService(config, { handleSignals: false });
    try {
      const otherHttp = request(other.server.server);
      await http.get('/').expect(200); // this instance has the catalogue in memory now
      const created = await otherHttp
        .post('/product/create')
        .set('Authorization', `Bearer ${adminToken}`)
        .send({ ...mango, name: 'Quince', type: 'rare' })
        .expect(201);
      const id: string = created.body._id;
      await eventually(async () => expect((await http.get(`/${id}`)).body).toMatchObject({ name: 'Quince' }));
      await otherHttp.put(`/product/${id}`).set('Authorization', `Bearer ${adminToken}`).send({ price: 7 }).expect(200);
      await eventually(async () => {
        expect((await http.get(`/${id}`)).body.price).toBe(7);
        expect((await http.get('/category/rare')).body.map((p: { price: number }) => p.price)).toEqual([7]);
      });
      // An older snapshot arriving late changes nothing.
      await probe.publish(CatalogueEvents.productUpdated, { productId: id, ...mango, name: 'Quince', type: 'rare', price: 1, version: 1 });
      await otherHttp.delete(`/product/${id}`).set('Authorization', `Bearer ${adminToken}`).expect(200);
      await eventually(async () => {
        await http.get(`/${id}`).expect(404);
        expect((await http.get('/products?type=rare')).body.total).toBe(0);
      });
    } finally {
      await other.shutdown();
    }
  });

  test('When a catalogue write comes without an admin token, then 401 or 403 and nothing changes', async () => {
    const before = (await http.get('/').expect(200)).body.products.length;
    expect((await createProduct(mango, customerToken).expect(403)).body.error.code).toBe('FORBIDDEN');
    expect((await http.post('/product/create').send(mango).expect(401)).body.error.code).toBe('UNAUTHORIZED');
    await createProduct(mango, `${adminToken}x`).expect(401);
    expect((await http.get('/').expect(200)).body.products.length).toBe(before);
  });

  test('When a product body is invalid, then 400 names the fields and nothing is stored', async () => {
    const before = (await http.get('/').expect(200)).body.products.length;
    const res = await createProduct({ ...mango, price: -1, stock: 1.5, name: '' }).expect(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['body.name', 'body.price', 'body.stock']);
    await createProduct({ ...mango, price: { $gt: 0 } }).expect(400);
    await http.post('/product/create').set('Authorization', `Bearer ${adminToken}`).set('Content-Type', 'application/json').send('{"name":').expect(400);
    expect((await http.get('/').expect(200)).body.products.length).toBe(before);
  });

  test('When a banner is not an http(s) URL or a path under /images/, then 400 names it and nothing is stored; allowed ones are kept', async () => {
    const before = (await http.get('/').expect(200)).body.products.length;
    for (const banner of [
      'javascript:alert(1)',
      'data:image/png;base64,AAAA',
      'ftp://example.com/a.jpg',
      '//example.com/a.jpg',
      '/images/../openapi.json',
      '/admin.jpg',
      'images/a.jpg',
      'https://',
    ]) {
      const res = await createProduct({ ...mango, name: 'Bad banner', banner }).expect(400);
      expect({ banner, fields: res.body.error.details.map((d: { path: string }) => d.path) }).toEqual({ banner, fields: ['body.banner'] });
    }
    expect((await http.get('/').expect(200)).body.products.length).toBe(before);
    const id = (await createProduct({ ...mango, name: 'Good banner', banner: 'https://cdn.example.com/pictures/mango.jpg' }).expect(201)).body._id as string;
    await http.put(`/product/${id}`).set('Authorization', `Bearer ${adminToken}`).send({ banner: 'javascript:alert(1)' }).expect(400);
    const changed = await http.put(`/product/${id}`).set('Authorization', `Bearer ${adminToken}`).send({ banner: '/images/mango-2.jpg' }).expect(200);
    expect(changed.body.banner).toBe('/images/mango-2.jpg');
    expect((await createProduct({ ...mango, name: 'No banner', banner: undefined }).expect(201)).body.banner).toBe('');
  });

  test('When replicas ask for the catalogue one after another, then every product is announced again for each', async () => {
    await createProduct({ ...mango, name: 'Sync Guava' }).expect(201);
    const count = (await http.get('/').expect(200)).body.products.length;
    expect(count).toBeGreaterThan(0);
    const before = probe.received.length;
    // The second asks while the first one's events may still be in the outbox: a replica whose
    // queue appeared in between must still get its own.
    await probe.publish(CatalogueEvents.syncRequested, { requestedBy: 'test' });
    await probe.publish(CatalogueEvents.syncRequested, { requestedBy: 'test-2' });
    await eventually(() => {
      const announced = probe.received.slice(before).filter((e) => e.type === CatalogueEvents.productUpdated);
      expect(announced).toHaveLength(2 * count);
      expect(new Set(announced.map((e) => e.id)).size).toBe(2 * count);
    }, 20_000);
  });

  test('When a crash kept changes from being announced, then they are announced at the next start, and a pending deletion completes', async () => {
    const changed = (await createProduct({ ...mango, name: 'Changed' }).expect(201)).body._id as string;
    const removed = (await createProduct({ ...mango, name: 'Removed' }).expect(201)).body._id as string;
    // What a crash right after the write leaves: the change stored, its announcement not.
    const model = productModel(service.connection);
    await model.updateOne({ _id: changed }, { $set: { price: 77, version: 2, announced: false } });
    await model.updateOne({ _id: removed }, { $set: { deleted: true, version: 2, announced: false } });
    expect(await new ProductRepository(service.connection).findById(removed)).toBeNull(); // queries never see it
    const second = await startProductsService(testServiceConfig('products', productsEnv, isolation), { handleSignals: false });
    try {
      await probe.waitFor((e) => e.id === `${CatalogueEvents.productUpdated}:${changed}:2` && (e.data as { price: number }).price === 77);
      await probe.waitFor((e) => e.type === CatalogueEvents.productDeleted && (e.data as { productId: string }).productId === removed);
      await eventually(async () => {
        expect(await model.findById(removed).lean()).toBeNull();
        expect((await model.findById(changed).lean())?.announced).toBe(true);
      });
    } finally {
      await second.shutdown();
    }
  });

  test('When products starts, then it announces its catalogue again, for a replica whose request never arrived', async () => {
    const id = (await createProduct({ ...mango, name: 'Restart Lychee' }).expect(201)).body._id as string;
    const second = await startProductsService(testServiceConfig('products', productsEnv, isolation), { handleSignals: false });
    try {
      await probe.waitFor((e) => e.type === CatalogueEvents.productUpdated && e.id.startsWith(`${CatalogueEvents.productUpdated}:${id}:1:for:start:`));
    } finally {
      await second.shutdown();
    }
  });

  test('When /health and /ready are asked, then the service reports its database and broker', async () => {
    expect((await http.get('/health').expect(200)).body).toEqual({ status: 'ok' });
    expect((await http.get('/ready').expect(200)).body).toEqual({ status: 'ready', dependencies: { database: 'up', broker: 'up' } });
  });
});

describe('products: the sample catalogue', () => {
  test('When the service starts with SEED_CATALOGUE on an empty catalogue, then its very first GET / lists the sample products', async () => {
    const { lines, logger } = capturingLogger('products');
    const seeding = await startProductsService(testServiceConfig('products', productsEnv, uniqueTestName('seeded'), { SEED_CATALOGUE: 'true' }), { handleSignals: false, logger });
    try {
      const messages = lines.map((line) => (JSON.parse(line) as { message: string }).message);
      expect(messages.indexOf('sample catalogue loaded')).toBeGreaterThan(-1);
      expect(messages.indexOf('sample catalogue loaded')).toBeLessThan(messages.indexOf('listening'));
      const first = await request(seeding.server.server).get('/').expect(200);
      expect(first.body.products).toHaveLength(SAMPLE_CATALOGUE.length);
    } finally {
      await seeding.shutdown();
    }
  });
});
