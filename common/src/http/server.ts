import http from 'node:http';
import type { Express } from 'express';
import type { Logger } from '../logging/logger';

export interface RunningServer {
  server: http.Server;
  port: number;
  /** Stops accepting, lets in-flight requests finish (up to the timeout), then runs the closers. */
  shutdown: () => Promise<void>;
}

export interface StartServerOptions {
  app: Express;
  port: number;
  host?: string;
  logger: Logger;
  /** Run in order after the HTTP server has stopped: consumers, broker, database. */
  closers?: Array<() => Promise<unknown>>;
  shutdownTimeoutMs?: number;
  /** Exit the process on SIGTERM/SIGINT (off in tests, which start several servers in one process). */
  handleSignals?: boolean;
}

export async function startServer({
  app,
  port,
  host = '0.0.0.0',
  logger,
  closers = [],
  shutdownTimeoutMs = 5000,
  handleSignals = true,
}: StartServerOptions): Promise<RunningServer> {
  const server = http.createServer(app);
  // Longer than the gateway's keep-alive, so that the gateway never reuses a socket we just closed.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;

  let stopping: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    stopping ??= (async () => {
      logger.info('shutting down');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, shutdownTimeoutMs).unref());
      await Promise.race([closed, timeout]);
      server.closeAllConnections();
      for (const close of closers) {
        await close().catch((error: unknown) => logger.warn('error while closing', { error: error instanceof Error ? error.message : String(error) }));
      }
      logger.info('stopped');
    })();
    return stopping;
  };

  if (handleSignals) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        const force = setTimeout(() => process.exit(1), shutdownTimeoutMs + 2000);
        force.unref();
        void shutdown().then(() => process.exit(0));
      });
    }
  }
  logger.info('listening', { port: boundPort });
  return { server, port: boundPort, shutdown };
}
