import { Router } from 'express';
import request from 'supertest';
import { z } from 'zod';
import { ConflictError } from '../errors/app-errors';
import { capturingLogger } from '../../testing/capturing-logger';
import { createServiceApp } from './service-app';
import { parseBody } from './validate';

const { lines: logged, logger } = capturingLogger('test');

const routes = Router();
routes.post('/echo', (req, res) => {
  res.json(parseBody(z.object({ name: z.string().max(10) }), req));
});
routes.get('/items/:id', (req, res) => {
  res.json({ id: req.params.id });
});
routes.get('/parsed', (req, res) => {
  res.json(z.object({ page: z.coerce.number().int() }).parse(req.query));
});
routes.get('/conflict', () => {
  throw new ConflictError('Already there', 'ALREADY_THERE');
});
routes.get('/bug', async () => {
  throw new Error('secret internal detail: mongodb://user:pw@db');
});

const state = { database: 'up' as 'up' | 'down', broker: 'up' as 'up' | 'degraded' };
const app = createServiceApp({ logger, bodyLimit: '1kb', routes, readiness: () => ({ ...state }) });

describe('the service app', () => {
  test('When the body is malformed JSON, then 400 MALFORMED_JSON', async () => {
    const res = await request(app).post('/echo').set('Content-Type', 'application/json').send('{"name":').expect(400);
    expect(res.body).toEqual({ error: { code: 'MALFORMED_JSON', message: expect.any(String) } });
  });

  test('When the body is not JSON, then 415 rather than a request treated as empty', async () => {
    const res = await request(app).post('/echo').set('Content-Type', 'text/plain').send('{"name":"x"}').expect(415);
    expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    await request(app).post('/echo').set('Content-Type', 'application/x-www-form-urlencoded').send('name=x').expect(415);
  });

  test('When a body declares gzip and is not gzip, then 400 MALFORMED_BODY, not a 500', async () => {
    for (const encoding of ['gzip', 'deflate']) {
      const res = await request(app).post('/echo').set('Content-Type', 'application/json').set('Content-Encoding', encoding).send('{"name":"x"}');
      expect({ encoding, status: res.status, body: res.body }).toEqual({ encoding, status: 400, body: { error: { code: 'MALFORMED_BODY', message: expect.any(String) } } });
    }
  });

  test('When a path parameter is not valid percent-encoding, then 400 MALFORMED_PATH, not a 500', async () => {
    await request(app).get('/items/%41').expect(200, { id: 'A' });
    const res = await request(app).get('/items/%ff').expect(400);
    expect(res.body).toEqual({ error: { code: 'MALFORMED_PATH', message: expect.any(String) } });
  });

  test('When the body is too large, then 413', async () => {
    expect(
      (
        await request(app)
          .post('/echo')
          .send({ name: 'x'.repeat(2000) })
          .expect(413)
      ).body.error.code,
    ).toBe('PAYLOAD_TOO_LARGE');
  });

  test('When input fails its schema, then 400 with the failing fields', async () => {
    const res = await request(app).post('/echo').send({ name: 'far too long a name' }).expect(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'body.name', message: expect.any(String) }] });
  });

  test('When a schema parse throws inside a handler, then 400 with the failing fields, not a 500', async () => {
    await request(app).get('/parsed?page=2').expect(200, { page: 2 });
    const res = await request(app).get('/parsed?page=two').expect(400);
    expect(res.body).toEqual({ error: { code: 'VALIDATION_FAILED', message: 'The request is not valid', details: [{ path: 'page', message: expect.any(String) }] } });
  });

  test('When the route is unknown, then 404 JSON', async () => {
    expect((await request(app).get('/nowhere').expect(404)).body.error.code).toBe('ROUTE_NOT_FOUND');
  });

  test('When a service throws a typed error, then its status and code', async () => {
    expect((await request(app).get('/conflict').expect(409)).body).toEqual({ error: { code: 'ALREADY_THERE', message: 'Already there' } });
  });

  test('When an async handler rejects with something unexpected, then 500 with a generic message, the details only in the log under the request id', async () => {
    logged.length = 0;
    const res = await request(app).get('/bug').set('x-request-id', 'bug-1').expect(500);
    expect(res.body).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side' } });
    expect(JSON.stringify(res.body)).not.toContain('secret internal detail');
    const line = logged.find((l) => l.includes('unexpected error'));
    expect(line).toContain('secret internal detail');
    expect(line).not.toContain('user:pw');
    expect(JSON.parse(line!).requestId).toBe('bug-1');
  });

  test('When requests have been served, then /metrics has their durations by route pattern and status', async () => {
    await request(app).post('/echo').send({ name: 'ok' }).expect(200);
    const res = await request(app).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.text).toMatch(/http_request_duration_seconds_count\{method="POST",route="\/echo",status="200"\} [1-9]/);
    expect(res.text).toMatch(/http_request_duration_seconds_count\{method="GET",route="unmatched",status="404"\} [1-9]/);
    expect(res.text).toContain('process_resident_memory_bytes');
  });

  test('When dependencies change, then /ready follows: degraded broker still ready, database down not ready; /health stays up', async () => {
    await request(app).get('/ready').expect(200);
    state.broker = 'degraded';
    expect((await request(app).get('/ready').expect(200)).body).toEqual({ status: 'ready', dependencies: { database: 'up', broker: 'degraded' } });
    state.database = 'down';
    expect((await request(app).get('/ready').expect(503)).body.status).toBe('not-ready');
    await request(app).get('/health').expect(200);
  });
});
