import { execFileSync } from 'node:child_process';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { createLogger, startServer, type RunningServer } from '@shop/common/web';
import { capturingLogger, eventually } from '@shop/common/testing';
import express from 'express';
import helmet from 'helmet';
import request from 'supertest';
import { createGatewayApp } from './app';
import { gatewayConfigSchema } from './config';
import { startMetricsServer } from './metrics-server';
import { keepAliveAgent, Upstreams } from './upstreams';

/** A stand-in service over real HTTP: it reports what reached it, and /ready as it is told. */
async function startUpstream(name: string, state: { ready: boolean; delayMs?: number }, port = 0) {
  const app = express();
  app.get('/ready', (_req, res) => {
    res.status(state.ready ? 200 : 503).json({});
  });
  app.all('/{*path}', express.json(), (req, res) => {
    const framing = { 'transfer-encoding': req.headers['transfer-encoding'], 'content-length': req.headers['content-length'] };
    setTimeout(
      () => res.json({ service: name, method: req.method, url: req.url, requestId: req.headers['x-request-id'], connection: req.headers.connection, framing, body: req.body }),
      state.delayMs ?? 0,
    );
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const states = { customer: { ready: true }, products: { ready: true }, shopping: { ready: true, delayMs: 0 } };
let servers: http.Server[] = [];
let app: express.Express;

beforeAll(async () => {
  const customer = await startUpstream('customer', states.customer);
  const products = await startUpstream('products', states.products);
  const shopping = await startUpstream('shopping', states.shopping);
  servers = [customer.server, products.server, shopping.server];
  const config = gatewayConfigSchema.parse({
    CUSTOMER_URL: customer.url,
    PRODUCTS_URL: products.url,
    SHOPPING_URL: shopping.url,
    CORS_ORIGINS: 'http://localhost:3000',
    BODY_LIMIT: '1kb',
    PROXY_TIMEOUT_MS: '500',
  });
  app = createGatewayApp(config, createLogger({ service: 'gateway', silent: true }));
});

afterAll(() => {
  keepAliveAgent.destroy();
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

describe('gateway: proxying', () => {
  test("When any answer leaves the gateway, then it carries helmet's security headers, the same as helmet sets them", async () => {
    const reference = express();
    reference.use(helmet());
    reference.get('/', (_req, res) => {
      res.end();
    });
    const expected = (await request(reference).get('/')).headers;
    for (const path of ['/customer/profile', '/no-such-thing/at/all', '/openapi.json']) {
      const res = await request(app).get(path);
      for (const name of [
        'content-security-policy',
        'strict-transport-security',
        'x-content-type-options',
        'x-frame-options',
        'referrer-policy',
        'cross-origin-opener-policy',
        'cross-origin-resource-policy',
        'origin-agent-cluster',
        'x-dns-prefetch-control',
        'x-download-options',
        'x-permitted-cross-domain-policies',
        'x-xss-protection',
      ]) {
        expect([path, name, res.headers[name]]).toEqual([path, name, expected[name]]);
      }
    }
    expect((await request(app).get('/openapi.json')).headers['x-powered-by']).toBeUndefined();
  });

  test('When a request comes in, then it reaches the owning service with its path, query, body and a request id, over a kept-alive connection', async () => {
    const res = await request(app).put('/cart?x=1').send({ _id: 'a', qty: 1 }).expect(200);
    expect(res.body).toMatchObject({ service: 'shopping', method: 'PUT', url: '/cart?x=1', body: { _id: 'a', qty: 1 }, connection: 'keep-alive' });
    expect(res.body.requestId).toBe(res.headers['x-request-id']);
    expect(res.headers.connection).not.toBe('close');
    // A bodyless GET is sent on with an empty body, framed as such.
    expect((await request(app).get('/customer/profile').expect(200)).body.framing).toEqual({ 'content-length': '0' });
    const kept = await request(app).get('/customer/profile').set('x-request-id', 'trace-123').expect(200);
    expect(kept.body).toMatchObject({ service: 'customer', requestId: 'trace-123' });
    const replaced = await request(app).get('/').set('x-request-id', 'bad id with spaces').expect(200);
    expect(replaced.body.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('When a browser origin is on the allow-list, then CORS allows it, and not otherwise; every answer varies by Origin', async () => {
    const allowed = await request(app).options('/customer/login').set('Origin', 'http://localhost:3000').set('Access-Control-Request-Method', 'POST').expect(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    const denied = await request(app).get('/').set('Origin', 'http://evil.example').expect(200);
    expect(denied.headers['access-control-allow-origin']).toBeUndefined();
    expect(denied.headers['access-control-expose-headers']).toBe('x-request-id');
    const noOrigin = await request(app).get('/').expect(200);
    expect(noOrigin.headers.vary).toBe('Origin');
    expect(noOrigin.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('When the body is over the limit, then 413 JSON and the service never sees it', async () => {
    const res = await request(app)
      .post('/ids')
      .send({ ids: 'x'.repeat(2000) })
      .expect(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  test('When a service is too slow, then 504 JSON within the timeout', async () => {
    states.shopping.delayMs = 2000;
    const started = Date.now();
    const res = await request(app).get('/shopping/orders').expect(504);
    states.shopping.delayMs = 0;
    expect(res.body.error.code).toBe('UPSTREAM_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

describe('gateway: request framing', () => {
  let gateway: RunningServer;
  let port = 0;
  beforeAll(async () => {
    gateway = await startServer({ app, port: 0, host: '127.0.0.1', logger: createLogger({ service: 'gateway', silent: true }), handleSignals: false, shutdownTimeoutMs: 100 });
    port = gateway.port;
  });
  afterAll(async () => {
    await gateway.shutdown();
  });

  /** A request as raw bytes, and the whole answer as text. */
  function raw(bytes: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.end(bytes));
      let answer = '';
      socket.on('data', (chunk) => (answer += String(chunk)));
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
    });
  }

  /** Sends `{"ids":["a","b"]}` to /ids written in two parts, so Node's client frames it as chunks. */
  function sendIdsInParts(method: string, headers: http.OutgoingHttpHeaders): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request({ port, host: '127.0.0.1', method, path: '/ids', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
        let text = '';
        res.on('data', (chunk) => (text += String(chunk)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.write('{"ids":');
      req.end('["a","b"]}');
    });
  }

  test('When a JSON body comes chunked (no Content-Length), then it reaches the service whole, framed by Content-Length alone', async () => {
    // Node's client sends a body written in parts without a Content-Length as chunks.
    const answer = await sendIdsInParts('POST', {});
    expect(answer).toEqual({ status: 200, text: expect.any(String) });
    expect(JSON.parse(answer.text)).toMatchObject({ body: { ids: ['a', 'b'] }, framing: { 'content-length': '17' } });
    expect(JSON.parse(answer.text).framing['transfer-encoding']).toBeUndefined();
  });

  test('When a GET carries a body, chunked or with a Content-Length, then it reaches the service whole, framed by Content-Length alone', async () => {
    // Bodyless GETs skip the body read; one with a body must not be streamed on unframed.
    const chunked = await sendIdsInParts('GET', { 'transfer-encoding': 'chunked' });
    expect(chunked.status).toBe(200);
    expect(JSON.parse(chunked.text)).toMatchObject({ method: 'GET', body: { ids: ['a', 'b'] }, framing: { 'content-length': '17' } });
    expect(JSON.parse(chunked.text).framing['transfer-encoding']).toBeUndefined();
    const sized = await request(app).get('/ids').set('content-type', 'application/json').send('{"ids":["c"]}');
    expect(sized.status).toBe(200);
    expect(sized.body).toMatchObject({ method: 'GET', body: { ids: ['c'] }, framing: { 'content-length': '13' } });
  });

  test('When a request carries both Transfer-Encoding and Content-Length, then the gateway itself answers 400 JSON: nothing is forwarded', async () => {
    const answer = await raw('POST /ids HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toMatch(/content-type: application\/json/i);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({ error: { code: 'MALFORMED_REQUEST', message: expect.any(String) } });
  });
});

describe('gateway: health', () => {
  test('When every service is ready, then 200; when one is not, then 503 naming it', async () => {
    expect((await request(app).get('/health').expect(200)).body).toEqual({ status: 'ok', services: { customer: 'ready', products: 'ready', shopping: 'ready' } });
    states.products.ready = false;
    const res = await request(app).get('/health').expect(503);
    states.products.ready = true;
    expect(res.body.error).toMatchObject({ code: 'SERVICES_NOT_READY', details: { services: { products: 'not-ready', customer: 'ready' } } });
  });
});

describe('gateway: what is public', () => {
  test('When /ready or /metrics is asked in any spelling, then 404 JSON from the gateway: no service is asked', async () => {
    for (const path of ['/ready', '/READY', '/ready/', '/metrics', '/Metrics/', '/metrics?x=1']) {
      const res = await request(app).get(path);
      expect({ path, status: res.status, body: res.body }).toEqual({ path, status: 404, body: { error: { code: 'ROUTE_NOT_FOUND', message: expect.any(String) } } });
    }
  });

  test('When /docs is loaded, then every file its page names is served, and nothing else of swagger-ui-dist', async () => {
    const page = await request(app).get('/docs').expect(200);
    const files = [...page.text.matchAll(/(?:href|src)="(\/docs\/[^"]+)"/g)].map((match) => match[1]!);
    expect(files).toHaveLength(4);
    for (const file of files) expect([file, (await request(app).get(file)).status]).toEqual([file, 200]);
    for (const file of ['/docs/package.json', '/docs/index.html', '/docs/swagger-ui-bundle.js.map', '/docs/oauth2-redirect.html', '/docs/../package.json', '/docs/nothing']) {
      const res = await request(app).get(file);
      expect({ file, status: res.status, code: res.body.error?.code }).toEqual({ file, status: 404, code: 'ROUTE_NOT_FOUND' });
    }
  });

  test("When the metrics port is asked, then it serves the gateway's metrics, on loopback only", async () => {
    await request(app).get('/openapi.json').expect(200);
    const metrics = await startMetricsServer(0);
    try {
      expect((metrics.server.address() as AddressInfo).address).toBe('127.0.0.1');
      const res = await request(`http://127.0.0.1:${metrics.port}`).get('/metrics').expect(200);
      expect(res.text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/openapi.json",status="200"\} [1-9]/);
    } finally {
      metrics.server.close();
    }
  });
});

describe('gateway: a service that is down', () => {
  test('When the service does not answer at all, then 503 JSON quickly and the health names it', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const config = gatewayConfigSchema.parse({ CUSTOMER_URL: `http://127.0.0.1:${port}`, PRODUCTS_URL: `http://127.0.0.1:${port}`, SHOPPING_URL: `http://127.0.0.1:${port}` });
    const down = createGatewayApp(config, createLogger({ service: 'gateway', silent: true }));
    const res = await request(down).get('/customer/profile').expect(503);
    expect(res.body).toEqual({ error: { code: 'SERVICE_UNAVAILABLE', message: expect.stringContaining('customer') } });
    expect((await request(down).get('/health').expect(503)).body.error.details.services).toEqual({ customer: 'not-ready', products: 'not-ready', shopping: 'not-ready' });
  });

  test("When the gateway logs about a request, then the line carries that request's id, named by the gateway itself", async () => {
    const port = await closedPort();
    const config = gatewayConfigSchema.parse({ CUSTOMER_URL: `http://127.0.0.1:${port}`, PRODUCTS_URL: `http://127.0.0.1:${port}`, SHOPPING_URL: `http://127.0.0.1:${port}` });
    const { lines, logger } = capturingLogger('gateway', 'http');
    await request(createGatewayApp(config, logger)).get('/customer/profile').set('x-request-id', 'down-1').expect(503);
    await eventually(() => {
      const logged = lines.map((line) => JSON.parse(line) as { message: string; requestId?: string });
      expect(logged.filter((line) => ['proxy error', 'request'].includes(line.message))).toEqual([
        expect.objectContaining({ message: 'proxy error', requestId: 'down-1' }),
        expect.objectContaining({ message: 'request', requestId: 'down-1' }),
      ]);
    });
  });
});

/** A port nothing listens on (connections to it are refused), free to be listened on later. */
async function closedPort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('gateway: two instances of a service, one of them down', () => {
  let live: Awaited<ReturnType<typeof startUpstream>>;
  let deadPort: number;
  let deadUrl: string;
  const silent = createLogger({ service: 'gateway', silent: true });
  /** A gateway whose shopping is the dead instance first, then the live one; other services live. */
  const gatewayWith = (checkEveryMs: number) => {
    const config = gatewayConfigSchema.parse({ CUSTOMER_URL: live.url, PRODUCTS_URL: live.url, SHOPPING_URL: `${deadUrl},${live.url}` });
    const upstreams = new Upstreams(config.services, { checkEveryMs });
    return { upstreams, gateway: createGatewayApp(config, silent, upstreams) };
  };
  beforeAll(async () => {
    live = await startUpstream('live', { ready: true });
    deadPort = await closedPort();
    deadUrl = `http://127.0.0.1:${deadPort}`;
  });
  afterAll(() => {
    live.server.closeAllConnections();
    live.server.close();
  });

  test('When the first instance refuses a GET, PUT or DELETE, then it is sent once more to the other, body and all: the client sees no error', async () => {
    const sends = [
      (app: express.Express) => request(app).get('/shopping/orders'),
      (app: express.Express) => request(app).put('/cart').send({ _id: 'a', qty: 2 }),
      (app: express.Express) => request(app).delete('/cart/a'),
    ];
    for (const send of sends) {
      // A check round an hour away: only the refused connection tells the gateway.
      const { upstreams, gateway } = gatewayWith(3_600_000);
      const res = await send(gateway);
      upstreams.stopChecks();
      expect({ status: res.status, service: res.body.service, method: res.body.method }).toEqual({ status: 200, service: 'live', method: res.body.method });
      if (res.body.method === 'PUT') expect(res.body.body).toEqual({ _id: 'a', qty: 2 });
      expect(upstreams.isUp(deadUrl)).toBe(false);
    }
  });

  test('When a POST meets the refused instance, then it is not sent again (503), and later requests skip that instance', async () => {
    const { upstreams, gateway } = gatewayWith(3_600_000);
    try {
      const refused = await request(gateway).post('/shopping/order').send({}).expect(503);
      expect(refused.body.error.code).toBe('SERVICE_UNAVAILABLE');
      for (let i = 0; i < 4; i++) expect((await request(gateway).post('/shopping/order').send({}).expect(200)).body.service).toBe('live');
    } finally {
      upstreams.stopChecks();
    }
  });

  test('When the dead instance comes back and is ready, then the background check takes it back and requests go to both in turn', async () => {
    const { upstreams, gateway } = gatewayWith(100);
    let back: Awaited<ReturnType<typeof startUpstream>> | undefined;
    try {
      // Found down by the check alone, before any request went there.
      await eventually(() => expect(upstreams.isUp(deadUrl)).toBe(false), 5000, 20);
      for (let i = 0; i < 4; i++) expect((await request(gateway).post('/shopping/order').send({}).expect(200)).body.service).toBe('live');
      const state = { ready: false };
      back = await startUpstream('back', state, deadPort);
      // Listening but not ready (its database away, say): still skipped.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(upstreams.isUp(deadUrl)).toBe(false);
      state.ready = true;
      await eventually(() => expect(upstreams.isUp(deadUrl)).toBe(true), 5000, 20);
      const served = [];
      for (let i = 0; i < 4; i++) served.push((await request(gateway).get('/shopping/orders').expect(200)).body.service as string);
      expect(served.sort()).toEqual(['back', 'back', 'live', 'live']);
    } finally {
      upstreams.stopChecks();
      back?.server.closeAllConnections();
      back?.server.close();
    }
  });
});

describe('gateway: what it loads', () => {
  // It needs neither a database nor a broker: @shop/common/web leaves out mongoose and amqplib
  // (about 21 MB of memory). Checked on the built program, as it runs (npm test builds first).
  test('When the gateway is loaded, then mongoose and amqplib are not', () => {
    const script = `require(${JSON.stringify(path.join(__dirname, '..', 'dist', 'app.js'))});
      const loaded = Object.keys(require.cache);
      console.log(JSON.stringify(['mongoose', 'amqplib', 'express-http-proxy'].map((name) => loaded.some((file) => file.includes('/node_modules/' + name + '/')))));`;
    expect(JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }))).toEqual([false, false, true]);
  });
});

describe('gateway: configuration', () => {
  test('When a service URL is not an http(s) URL, then the configuration names it', () => {
    const parse = (CUSTOMER_URL: string) => gatewayConfigSchema.safeParse({ CUSTOMER_URL });
    expect(parse('http://10.0.0.1:8001, https://customer.internal').data?.services.customer).toEqual(['http://10.0.0.1:8001', 'https://customer.internal']);
    for (const url of ['ftp://10.0.0.1', 'customer:8001', 'http://']) {
      expect({ url, issues: parse(url).error?.issues.map(({ path, message }) => ({ path, message })) }).toEqual({
        url,
        issues: [{ path: ['CUSTOMER_URL', 0], message: 'must be an http(s) URL' }],
      });
    }
  });
});
