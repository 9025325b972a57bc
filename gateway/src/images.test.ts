import fs from 'node:fs';
import path from 'node:path';
import { createLogger } from '@shop/common/web';
import { decode } from 'jpeg-js';
import request from 'supertest';
import { SAMPLE_CATALOGUE } from '../../products/src/seed/sample-catalogue';
import { createGatewayApp } from './app';
import { gatewayConfigSchema } from './config';
import { IMAGES_DIR } from './images';
import { keepAliveAgent } from './upstreams';

// Nothing listens at the services' addresses: pictures never reach a service.
const app = createGatewayApp(
  gatewayConfigSchema.parse({ CUSTOMER_URL: 'http://127.0.0.1:9', PRODUCTS_URL: 'http://127.0.0.1:9', SHOPPING_URL: 'http://127.0.0.1:9', CORS_ORIGINS: 'http://localhost:3000' }),
  createLogger({ service: 'gateway', silent: true }),
);

afterAll(() => keepAliveAgent.destroy());

describe('gateway: product images', () => {
  test.each(SAMPLE_CATALOGUE.map((product) => [product.banner, product.name] as const))(
    'When a page shows %s, then it is a JPEG picture, cacheable for a day and revalidated by ETag',
    async (banner) => {
      const res = await request(app).get(banner).set('Origin', 'http://localhost:3000').buffer(true).expect(200);
      expect(res.headers['content-type']).toBe('image/jpeg');
      expect(res.headers['cache-control']).toBe('public, max-age=86400, immutable');
      expect(res.headers.etag).toMatch(/^W?\/?".+"$/);
      // The original frontend shows it from another origin: helmet's same-origin policy would block it.
      expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
      const picture = decode(res.body as Buffer);
      expect({ width: picture.width, height: picture.height }).toEqual({ width: 320, height: 240 });
      expect((res.body as Buffer).length).toBeLessThan(20_000);
      await request(app).get(banner).set('If-None-Match', res.headers.etag!).expect(304);
    },
  );

  test('When an image is unknown or the path leaves the folder, then 404 JSON and no service is asked', async () => {
    for (const url of [
      '/images/no-such-picture.jpg',
      '/images/',
      '/images/..%2Fpackage.json',
      '/images/..%2F..%2Fpackage.json',
      '/images/%2e%2e%2f%2e%2e%2fpackage.json',
      '/images/%2e%2e/%2e%2e/package.json',
      '/images/.hidden',
    ]) {
      const res = await request(app).get(url);
      expect({ url, status: res.status }).toEqual({ url, status: 404 });
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body.error.code).toMatch(/^(IMAGE_NOT_FOUND|ROUTE_NOT_FOUND)$/);
    }
  });

  test("The folder holds exactly the sample catalogue's pictures, so none is missing and none is stale", () => {
    expect(fs.readdirSync(IMAGES_DIR).sort()).toEqual(SAMPLE_CATALOGUE.map((product) => path.basename(product.banner)).sort());
  });
});
