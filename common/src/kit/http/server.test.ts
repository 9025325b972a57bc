import http from 'node:http';
import express from 'express';
import { createLogger } from '../logging/logger';
import { startServer } from './server';

const logger = createLogger({ service: 'test', silent: true });

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('graceful shutdown', () => {
  test('When shutdown starts during a request, then that request finishes, new connections are refused, and the closers run in order', async () => {
    const app = express();
    app.get('/slow', (_req, res) => void setTimeout(() => res.send('done'), 400));
    const closed: string[] = [];
    const server = await startServer({
      app,
      port: 0,
      host: '127.0.0.1',
      logger,
      handleSignals: false,
      closers: [async () => void closed.push('broker'), async () => void closed.push('database')],
    });
    const inFlight = get(server.port, '/slow');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stopping = server.shutdown();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(get(server.port, '/slow')).rejects.toThrow(/ECONNREFUSED/);
    expect(await inFlight).toEqual({ status: 200, body: 'done' });
    await stopping;
    expect(closed).toEqual(['broker', 'database']);
  });

  test('When a request outlasts the shutdown timeout, then shutdown does not wait for it', async () => {
    const app = express();
    app.get('/stuck', () => undefined);
    const server = await startServer({ app, port: 0, host: '127.0.0.1', logger, handleSignals: false, shutdownTimeoutMs: 300 });
    const stuck = get(server.port, '/stuck').catch((error: Error) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await server.shutdown();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(String(await stuck)).toMatch(/socket hang up|ECONNRESET/);
  });
});
