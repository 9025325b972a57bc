import express from 'express';
import request from 'supertest';
import { clientAddress } from './client-address';

describe('the client address', () => {
  test('When it is asked twice for one request, then X-Forwarded-For is resolved once, and both answers name the client', async () => {
    const app = express();
    app.set('trust proxy', ['loopback']);
    let resolved = 0;
    const ip = Object.getOwnPropertyDescriptor(app.request, 'ip') ?? Object.getOwnPropertyDescriptor(Object.getPrototypeOf(app.request), 'ip')!;
    Object.defineProperty(app.request, 'ip', {
      get(this: express.Request) {
        resolved++;
        return ip.get!.call(this) as string;
      },
    });
    app.get('/', (req, res) => {
      res.json({ first: clientAddress(req), second: clientAddress(req) });
    });
    const res = await request(app).get('/').set('x-forwarded-for', '203.0.113.7').expect(200);
    expect(res.body).toEqual({ first: '203.0.113.7', second: '203.0.113.7' });
    expect(resolved).toBe(1);
  });
});
