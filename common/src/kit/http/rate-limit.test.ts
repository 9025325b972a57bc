import express from 'express';
import request from 'supertest';
import { FixedWindowCounts, rateLimiter } from './rate-limit';

/** An app behind a loopback proxy (clients named by X-Forwarded-For) answering the status it is asked for. */
function limitedApp(limiter: express.RequestHandler): express.Express {
  const app = express();
  app.set('trust proxy', ['loopback']);
  app.use(limiter);
  app.get('/status/:code', (req, res) => {
    res.status(Number(req.params.code)).json({});
  });
  return app;
}

describe('the rate limit', () => {
  test('When a client goes over the limit, then 429 RATE_LIMITED with Retry-After, and the RateLimit headers count down', async () => {
    const app = limitedApp(rateLimiter({ limit: 2, windowMs: 60_000, message: 'Slow down' }));
    const first = await request(app).get('/status/200').expect(200);
    expect(first.headers['ratelimit-policy']).toBe('2;w=60');
    expect(first.headers.ratelimit).toMatch(/^limit=2, remaining=1, reset=\d+$/);
    await request(app).get('/status/200').expect(200);
    const limited = await request(app).get('/status/200').expect(429);
    expect(limited.body).toEqual({ error: { code: 'RATE_LIMITED', message: 'Slow down' } });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
  });

  test('When only some answers count, then the others are taken back and never reach the limit', async () => {
    const app = limitedApp(rateLimiter({ limit: 2, windowMs: 60_000, counts: (status) => status === 401 }));
    for (let i = 0; i < 5; i++) await request(app).get('/status/200').expect(200);
    await request(app).get('/status/401').expect(401);
    await request(app).get('/status/401').expect(401);
    await request(app).get('/status/200').expect(429);
  });

  test('When a window ends, then its counts are gone; a request counted in it is not taken back from the next', () => {
    const windows = new FixedWindowCounts(1000);
    expect(windows.add('a', 5_100).count).toBe(1);
    const { window } = windows.add('a', 5_900);
    expect(windows.msLeft(5_900)).toBe(100);
    expect(windows.add('a', 6_000).count).toBe(1);
    windows.remove('a', window);
    expect(windows.add('a', 6_500).count).toBe(2);
  });

  const from = (address: string) => ({ 'X-Forwarded-For': address });

  test('When one IPv6 network sends from many addresses, then it is counted as one client; another network is not', async () => {
    const app = limitedApp(rateLimiter({ limit: 2, windowMs: 60_000 }));
    await request(app).get('/status/200').set(from('2001:db8:0:1::1')).expect(200);
    await request(app).get('/status/200').set(from('2001:db8:0:2::7')).expect(200);
    const limited = await request(app).get('/status/200').set(from('2001:db8:0:3::9')).expect(429);
    expect(limited.body).toEqual({ error: { code: 'RATE_LIMITED', message: expect.any(String) } });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    await request(app).get('/status/200').set(from('2001:db8:1::1')).expect(200);
  });

  test('When IPv4 clients share nothing but the proxy, then each has its own count', async () => {
    const app = limitedApp(rateLimiter({ limit: 2, windowMs: 60_000 }));
    for (let i = 0; i < 2; i++) await request(app).get('/status/200').set(from('192.0.2.1')).expect(200);
    await request(app).get('/status/200').set(from('192.0.2.1')).expect(429);
    await request(app).get('/status/200').set(from('192.0.2.2')).expect(200);
  });
});
