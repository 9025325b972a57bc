import http from 'node:http';
import type { Duplex } from 'node:stream';
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
  /** Loopback unless told otherwise: a public port is a decision, not a default. */
  host?: string;
  logger: Logger;
  /** Run in order after the HTTP server has stopped: consumers, broker, database. */
  closers?: Array<() => Promise<unknown>>;
  shutdownTimeoutMs?: number;
  /** Exit the process on SIGTERM/SIGINT (off in tests, which start several servers in one process). */
  handleSignals?: boolean;
}

/** Node's parser codes for what it refuses before Express sees a request, and what to answer. */
const PARSER_REFUSALS: Record<string, [status: number, reason: string, code: string, message: string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'HEADERS_TOO_LARGE', 'The request headers are too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'REQUEST_TIMEOUT', 'The request took too long to arrive'],
};
const MALFORMED: [number, string, string, string] = [
  400,
  'Bad Request',
  'MALFORMED_REQUEST',
  'The request is not valid HTTP/1.1 (for instance, framed by both Transfer-Encoding and Content-Length)',
];

/** A request Node's HTTP parser refuses (never reaching Express) gets the shop's JSON error too. */
function answerParserErrors(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason, code, message] = PARSER_REFUSALS[error.code ?? ''] ?? MALFORMED;
  const body = JSON.stringify({ error: { code, message } });
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

export async function startServer({
  app,
  port,
  host = '127.0.0.1',
  logger,
  closers = [],
  shutdownTimeoutMs = 5000,
  handleSignals = true,
}: StartServerOptions): Promise<RunningServer> {
  const server = http.createServer(app);
  server.on('clientError', answerParserErrors);
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
