import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { metricsHandler } from '@shop/common/web';
import express from 'express';

/**
 * The gateway's own Prometheus metrics on a port of their own, bound to loopback: the public
 * port serves only the API, and a scraper on the same host (or a sidecar) reads them here.
 */
export async function startMetricsServer(port: number, host = '127.0.0.1'): Promise<{ server: http.Server; port: number }> {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', metricsHandler());
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
