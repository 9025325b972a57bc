import express, { type Express, type Router } from 'express';
import { AppError } from '../errors/app-errors';
import { writeAccessLine } from '../logging/access-log';
import type { Logger } from '../logging/logger';
import { metricsHandler, shopMetrics } from '../metrics/metrics';
import { errorHandler, notFoundHandler } from './error-handler';
import { REQUEST_ID_HEADER, requestId } from './request-id';

/** A dependency's state as /ready reports it. */
export type DependencyState = 'up' | 'down' | 'degraded';
export type ReadinessCheck = () => Record<string, DependencyState>;

export interface ServiceAppOptions {
  logger: Logger;
  bodyLimit: string;
  /** Express "trust proxy": the addresses whose X-Forwarded-For names the client (the gateway's). */
  trustedProxies?: string[];
  readiness: ReadinessCheck;
  routes: Router;
}

/**
 * Logs one line per finished request, with its status and duration, and times it in the
 * http_request_duration_seconds histogram by route pattern (not path, which would be unbounded).
 */
export function requestLog(logger: Logger, routeOf: (req: express.Request) => string = (req) => (req.route?.path as string | undefined) ?? 'unmatched'): express.RequestHandler {
  const { httpDuration } = shopMetrics();
  return (req, res, next) => {
    const started = performance.now();
    res.on('finish', () => {
      const ms = performance.now() - started;
      httpDuration.observe({ method: req.method, route: routeOf(req), status: String(res.statusCode) }, ms / 1000);
      const id = req.headers[REQUEST_ID_HEADER] as string | undefined;
      writeAccessLine(logger, { method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms * 10) / 10, requestId: id });
    });
    next();
  };
}

/** A body in any other format would be silently ignored, and the request treated as empty. */
function requireJsonBodies(): express.RequestHandler {
  return (req, _res, next) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (hasBody && !req.is(['application/json', '+json'])) {
      return next(new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json'));
    }
    next();
  };
}

/**
 * The Express app every service builds: request ids, JSON bodies with a size limit, /health and
 * /ready, the service's routes, then JSON 404s and the one error handler. No listen here: tests
 * hand the app to supertest.
 */
export function createServiceApp({ logger, bodyLimit, trustedProxies = ['loopback'], readiness, routes }: ServiceAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', trustedProxies);
  app.set('etag', false);
  app.use(requestId());
  app.use(requestLog(logger));
  app.use(requireJsonBodies());
  app.use(express.json({ limit: bodyLimit, strict: true }));
  app.get('/metrics', metricsHandler());
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/ready', (_req, res) => {
    const dependencies = readiness();
    // A degraded dependency (the broker, whose events wait in the outbox) still serves requests.
    const ready = Object.values(dependencies).every((state) => state !== 'down');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready', dependencies });
  });
  app.use(routes);
  app.use(notFoundHandler());
  app.use(errorHandler(logger));
  return app;
}
