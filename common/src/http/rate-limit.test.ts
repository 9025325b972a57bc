import express from 'express';
import request from 'supertest';
import { rateLimiter } from './rate-limit';

/** Two requests per window, counted per client as Express resolves it behind a loopback proxy. */
function limitedApp(): express.Express {
  const app = express();
  app.set('trust proxy', ['loopback']);
  app.use(rateLimiter({ limit: 2, windowMs: 60_000 }));
  app.get('/', (_req, res) => {
    res.json({ ok: true });
  });
  return app;
}

const from = (address: string) => ({ 'X-Forwarded-For': address });

describe('rate limits', () => {
  test('When one IPv6 network sends from many addresses, then it is counted as one client; another network is not', async () => {
    const app = limitedApp();
    await request(app).get('/').set(from('2001:db8:0:1::1')).expect(200);
    await request(app).get('/').set(from('2001:db8:0:2::7')).expect(200);
    const limited = await request(app).get('/').set(from('2001:db8:0:3::9')).expect(429);
    expect(limited.body).toEqual({ error: { code: 'RATE_LIMITED', message: expect.any(String) } });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    await request(app).get('/').set(from('2001:db8:1::1')).expect(200);
  });

  test('When IPv4 clients share nothing but the proxy, then each has its own count', async () => {
    const app = limitedApp();
    for (let i = 0; i < 2; i++) await request(app).get('/').set(from('192.0.2.1')).expect(200);
    await request(app).get('/').set(from('192.0.2.1')).expect(429);
    await request(app).get('/').set(from('192.0.2.2')).expect(200);
  });
});
