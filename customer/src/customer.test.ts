import { CatalogueEvents, ShoppingEvents, StockEvents, verifyAccessToken, WishlistEvents } from '@shop/common';
import { eventually, EventProbe, testServiceConfig, uniqueTestName } from '@shop/common/testing';
import mongoose from 'mongoose';
import request from 'supertest';
import { customerEnv, type CustomerConfig } from './config';
import { CustomerRepository } from './database/customer-repository';
import { CustomerViewRepository } from './database/customer-view-repository';
import { customerModel } from './database/models/customer';
import { startCustomerService, type CustomerService } from './service';

let service: CustomerService;
let config: CustomerConfig;
let probe: EventProbe;
let http: ReturnType<typeof request>;

const productId = '65a000000000000000000001';
const product = { productId, name: 'Apples', desc: 'crisp', type: 'fruits', banner: '/a.jpg', unit: 1, price: 140, available: true, suplier: 'Orchard', stock: 20, version: 1 };

/** The admin account as stored when the service's start resolved. */
let adminAtStart: Awaited<ReturnType<CustomerRepository['findByEmail']>>;

beforeAll(async () => {
  config = testServiceConfig('customer', customerEnv, uniqueTestName('customer'), { BCRYPT_COST: '4', ADMIN_EMAIL: 'admin@shop.test', ADMIN_PASSWORD: 'admin-password' });
  probe = await new EventProbe(config.amqpUrl, config.exchange).start();
  service = await startCustomerService(config, { handleSignals: false });
  adminAtStart = await new CustomerRepository(service.connection).findByEmail('admin@shop.test');
  http = request(service.server.server);
  await probe.publish(CatalogueEvents.productCreated, product);
});

afterAll(async () => {
  await service.shutdown();
  await probe.stop();
});

let emailCounter = 0;
async function signUp(): Promise<{ id: string; token: string; email: string }> {
  const email = `Shopper${++emailCounter}@Example.com`;
  const res = await http.post('/customer/signup').send({ email, password: 'correct horse', phone: '+49 30 1234567' }).expect(201);
  return { ...res.body, email };
}
const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('customer: accounts', () => {
  test('When a shopper signs up, then the account is stored with a hash, the email normalised, and a token issued', async () => {
    const { id, token, email } = await signUp();
    const stored = await new CustomerRepository(service.connection).findById(id);
    expect(stored).toMatchObject({ email: email.toLowerCase(), role: 'customer' });
    expect(stored?.passwordHash).toMatch(/^\$2[aby]\$04\$/);
    expect(verifyAccessToken(token, config.tokens)).toEqual({ customerId: id, role: 'customer' });
  });

  test('When an account was stored with a $2a$ hash (bcryptjs 2 made those), then its password still logs in', async () => {
    const { id, email } = await signUp();
    const repository = new CustomerRepository(service.connection);
    const stored = await repository.findById(id);
    // The same hash under the older prefix: $2a$ and $2b$ differ only for passwords over 255 bytes.
    const olderHash = stored!.passwordHash.replace(/^\$2[by]\$/, '$2a$');
    await customerModel(service.connection).updateOne({ _id: id }, { $set: { passwordHash: olderHash } });
    expect((await repository.findById(id))?.passwordHash).toMatch(/^\$2a\$/);
    await http.post('/customer/login').send({ email, password: 'correct horse' }).expect(200);
    await http.post('/customer/login').send({ email, password: 'wrong horse' }).expect(401);
  });

  test('When the same email signs up again in another case, then 409 and no second account', async () => {
    const { email } = await signUp();
    const res = await http
      .post('/customer/signup')
      .send({ email: ` ${email.toUpperCase()} `, password: 'another good one', phone: '1' })
      .expect(409);
    expect(res.body.error.code).toBe('EMAIL_TAKEN');
  });

  test('When a shopper logs in, then a right password gives a token and a refresh token and a wrong one or unknown email 401', async () => {
    const { id, email } = await signUp();
    const ok = await http.post('/customer/login').send({ email, password: 'correct horse' }).expect(200);
    expect(ok.body).toEqual({ id, token: expect.any(String), refreshToken: expect.any(String) });
    expect((await http.post('/customer/login').send({ email, password: 'wrong horse' }).expect(401)).body.error.code).toBe('INVALID_CREDENTIALS');
    expect((await http.post('/customer/login').send({ email: 'nobody@example.com', password: 'correct horse' }).expect(401)).body.error.code).toBe('INVALID_CREDENTIALS');
  });

  test('When sign-up input is bad, then 400 and nothing is stored', async () => {
    await http.post('/customer/signup').send({ email: 'not-an-email', password: 'correct horse' }).expect(400);
    await http.post('/customer/signup').send({ email: 'short@example.com', password: 'short' }).expect(400);
    await http
      .post('/customer/signup')
      .send({ email: 'long@example.com', password: 'é'.repeat(40) })
      .expect(400);
    await http
      .post('/customer/signup')
      .send({ email: { $gt: '' }, password: 'correct horse' })
      .expect(400);
    expect(await new CustomerRepository(service.connection).findByEmail('short@example.com')).toBeNull();
  });

  test('When the service starts with ADMIN_EMAIL set, then that admin exists before it serves, can log in and gets the admin role', async () => {
    expect(adminAtStart).toMatchObject({ email: 'admin@shop.test', role: 'admin' });
    const res = await http.post('/customer/login').send({ email: 'admin@shop.test', password: 'admin-password' }).expect(200);
    expect(verifyAccessToken(res.body.token, config.tokens).role).toBe('admin');
  });
});

describe('customer: profile, addresses and wishlist', () => {
  test('When a shopper adds an address, then the profile carries it and never the password hash', async () => {
    const { token } = await signUp();
    const address = { street: '1 Main St', postalCode: '10115', city: 'Berlin', country: 'DE' };
    const res = await http.post('/customer/address').set(auth(token)).send(address).expect(201);
    expect(res.body.address).toEqual([expect.objectContaining(address)]);
    const profile = await http.get('/customer/profile').set(auth(token)).expect(200);
    expect(profile.body).toMatchObject({ address: [expect.objectContaining(address)], wishlist: [], cart: [], orders: [] });
    expect(JSON.stringify(profile.body)).not.toMatch(/password/i);
    await http.post('/customer/address/').set(auth(token)).send({ street: '' }).expect(400);
  });

  test('When a product is wishlisted twice and removed twice, then it is there once, then gone, each announced once', async () => {
    const { id, token } = await signUp();
    await eventually(() => http.put('/wishlist').set(auth(token)).send({ _id: productId }).expect(200));
    const again = await http.put('/wishlist').set(auth(token)).send({ _id: productId }).expect(200);
    expect(again.body).toMatchObject({ _id: productId, name: 'Apples', price: 140 });
    expect((await http.get('/customer/wishlist').set(auth(token)).expect(200)).body).toEqual([expect.objectContaining({ _id: productId })]);
    await probe.waitFor((e) => e.type === WishlistEvents.itemAdded && (e.data as { customerId: string }).customerId === id);

    await http.delete(`/wishlist/${productId}`).set(auth(token)).expect(200);
    await http.delete(`/wishlist/${productId}`).set(auth(token)).expect(200);
    expect((await http.get('/customer/wishlist').set(auth(token)).expect(200)).body).toEqual([]);
    await probe.waitFor((e) => e.type === WishlistEvents.itemRemoved && (e.data as { customerId: string }).customerId === id);
    expect(probe.received.filter((e) => e.type === WishlistEvents.itemAdded && (e.data as { customerId: string }).customerId === id)).toHaveLength(1);
  });

  test('When wishlist and address changes race, then every one is kept, and a product added by several at once is there and announced once', async () => {
    const { id, token } = await signUp();
    const productIds = Array.from({ length: 12 }, (_, i) => `65a0000000000000000001${String(i).padStart(2, '0')}`);
    await Promise.all(productIds.map((_id, i) => probe.publish(CatalogueEvents.productCreated, { ...product, productId: _id, name: `Product ${i}` })));
    await eventually(() =>
      http
        .put('/wishlist')
        .set(auth(token))
        .send({ _id: productIds[productIds.length - 1] })
        .expect(200),
    );

    const addresses = Array.from({ length: 8 }, (_, i) => ({ street: `${i} Main St`, postalCode: '10115', city: 'Berlin', country: 'DE' }));
    await Promise.all([
      ...productIds.map((_id) => http.put('/wishlist').set(auth(token)).send({ _id }).expect(200)),
      ...Array.from({ length: 6 }, () => http.put('/wishlist').set(auth(token)).send({ _id: productId }).expect(200)),
      ...addresses.map((address) => http.post('/customer/address').set(auth(token)).send(address).expect(201)),
    ]);

    const wishlist = (await http.get('/customer/wishlist').set(auth(token)).expect(200)).body as Array<{ _id: string }>;
    expect(wishlist.map((p) => p._id).sort()).toEqual([...productIds, productId].sort());
    const profile = (await http.get('/customer/profile').set(auth(token)).expect(200)).body as { address: Array<{ street: string }> };
    expect(profile.address.map((a) => a.street).sort()).toEqual(addresses.map((a) => a.street).sort());
    await probe.waitFor(
      (e) => e.type === WishlistEvents.itemAdded && (e.data as { productId: string }).productId === productId && (e.data as { customerId: string }).customerId === id,
    );
    const announcedOf = (wanted: string) =>
      probe.received.filter(
        (e) => e.type === WishlistEvents.itemAdded && (e.data as { customerId: string }).customerId === id && (e.data as { productId: string }).productId === wanted,
      );
    await eventually(() => expect(productIds.every((wanted) => announcedOf(wanted).length === 1)).toBe(true));
    expect(announcedOf(productId)).toHaveLength(1);

    await Promise.all(productIds.map((_id) => http.delete(`/wishlist/${_id}`).set(auth(token)).expect(200)));
    expect((await http.get('/customer/wishlist').set(auth(token)).expect(200)).body).toEqual([expect.objectContaining({ _id: productId })]);
  });

  test('When an unknown or malformed product is wishlisted, then 404 or 400', async () => {
    const { token } = await signUp();
    expect((await http.put('/wishlist').set(auth(token)).send({ _id: '000000000000000000000000' }).expect(404)).body.error.code).toBe('PRODUCT_NOT_FOUND');
    await http.put('/wishlist').set(auth(token)).send({ _id: 'abc' }).expect(400);
  });

  test('When the catalogue changes a product, then the wishlist shows the new price', async () => {
    const { token } = await signUp();
    await eventually(() => http.put('/wishlist').set(auth(token)).send({ _id: productId }).expect(200));
    await probe.publish(CatalogueEvents.productUpdated, { ...product, price: 155, version: 2 });
    // An older version arriving late changes nothing.
    await probe.publish(CatalogueEvents.productUpdated, { ...product, price: 1, version: 1 });
    await eventually(async () => {
      const res = await http.get('/customer/wishlist').set(auth(token)).expect(200);
      expect(res.body[0].price).toBe(155);
    });
  });

  test('When there is no token or a bad one, then 401 on every owned resource', async () => {
    for (const [method, path] of [
      ['get', '/customer/profile'],
      ['get', '/customer/wishlist'],
      ['get', '/customer/shoping-details'],
      ['post', '/customer/address'],
      ['put', '/wishlist'],
    ] as const) {
      await http[method](path).expect(401);
      await http[method](path).set('Authorization', 'Bearer not.a.token').expect(401);
    }
  });
});

describe('customer: the view kept by events', () => {
  test('When cart, order and stock events arrive, then the shopping details show them, each applied once', async () => {
    const { id, token } = await signUp();
    const line = { product: { _id: productId, name: 'Apples', desc: 'crisp', price: 140, banner: '/a.jpg', type: 'fruits' }, unit: 2 };
    await probe.publish(ShoppingEvents.cartUpdated, { customerId: id, items: [line], version: 1 });
    await eventually(async () => {
      expect((await http.get('/customer/shoping-details').set(auth(token)).expect(200)).body.cart).toEqual([line]);
    });
    const order = { orderId: `order-${id}`, customerId: id, items: [line], amount: 280, status: 'received', txnNumber: 't1', createdAt: new Date().toISOString() };
    const placed = await probe.publish(ShoppingEvents.orderPlaced, order);
    await probe.publish(ShoppingEvents.orderPlaced, order, { id: placed.id }); // the same event again
    await probe.publish(ShoppingEvents.cartUpdated, { customerId: id, items: [], version: 2 });
    await probe.publish(StockEvents.stockReserved, { orderId: order.orderId, customerId: id });
    await eventually(async () => {
      const details = (await http.get('/customer/shoping-details').set(auth(token)).expect(200)).body;
      expect(details.cart).toEqual([]);
      expect(details.orders).toEqual([expect.objectContaining({ orderId: order.orderId, amount: 280, status: 'confirmed' })]);
    });
  });
});

describe('customer: the orders of the view', () => {
  test('When orders come in any order of their dates, then the profile and the shopping details list them newest first, in the shape of the original', async () => {
    const { id, token } = await signUp();
    const line = { product: { _id: productId, name: 'Apples', desc: 'crisp', price: 140, banner: '/a.jpg', type: 'fruits' }, unit: 1 };
    const placed = (n: number, day: number) => ({
      orderId: `order-${id}-${n}`,
      customerId: id,
      items: [line],
      amount: 140,
      status: 'received',
      txnNumber: `t${n}`,
      createdAt: `2026-01-0${day}T00:00:00.000Z`,
    });
    for (const [n, day] of [
      [1, 2],
      [2, 3],
      [3, 1],
    ] as const) {
      await probe.publish(ShoppingEvents.orderPlaced, placed(n, day));
    }
    await probe.publish(StockEvents.stockRejected, { orderId: `order-${id}-2`, customerId: id, reason: 'out of stock' });
    const summary = (n: number, day: number, status: string) => {
      const { orderId, amount, items, txnNumber, createdAt } = placed(n, day);
      return { _id: orderId, orderId, amount, status, items, txnNumber, date: createdAt };
    };
    const expected = [{ ...summary(2, 3, 'rejected'), reason: 'out of stock' }, summary(1, 2, 'received'), summary(3, 1, 'received')];
    await eventually(async () => expect((await http.get('/customer/shoping-details').set(auth(token)).expect(200)).body.orders).toEqual(expected));
    expect((await http.get('/customer/profile').set(auth(token)).expect(200)).body.orders).toEqual(expected);
  });
});

describe('customer: a database of the earlier release', () => {
  test('When the views keep their orders embedded, then the service moves them out before it listens', async () => {
    const earlier = testServiceConfig('customer', customerEnv, uniqueTestName('earlier'), { BCRYPT_COST: '4' });
    const seeding = await mongoose.createConnection(earlier.mongoUrl, { dbName: earlier.dbName }).asPromise();
    const order = { _id: 'order-1', orderId: 'order-1', amount: 140, status: 'confirmed', items: [], txnNumber: null, date: new Date() };
    await seeding.collection<{ _id: string; [field: string]: unknown }>('customer_views').insertOne({ _id: 'customer-1', cart: [], cartVersion: 1, version: 2, orders: [order] });
    await seeding.close();
    const started = await startCustomerService(earlier, { handleSignals: false });
    try {
      expect(await new CustomerViewRepository(started.connection).listOrders('customer-1')).toMatchObject([{ _id: 'order-1', status: 'confirmed' }]);
    } finally {
      await started.shutdown();
    }
  });
});
