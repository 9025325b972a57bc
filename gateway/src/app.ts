import { AppError, clientAddress, errorBody, errorHandler, NotFoundError, rateLimiter, REQUEST_ID_HEADER, requestId, requestLog, type Logger } from '@shop/common/web';
import cors from 'cors';
import express, { type Express, type RequestHandler, type Router } from 'express';
import proxy from 'express-http-proxy';
import { apiDocs } from './api-docs';
import type { GatewayConfig, UpstreamName } from './config';
import { aggregatedHealth } from './health';
import { productImages } from './images';
import { isInternalPath, upstreamFor } from './routing-table';
import { securityHeaders } from './security-headers';
import { UpstreamDeadlines, UpstreamTimeoutError } from './upstream-deadlines';
import { keepAliveAgent, Upstreams, type DeadlineRequestOptions } from './upstreams';

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN', 'ECONNRESET', 'EPIPE']);

function errorCode(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
}

/** A service that is down or too slow becomes a JSON 503 or 504 within the timeout, never a hang. */
function proxyError(name: UpstreamName, logger: Logger, timeoutMs: number) {
  return (error: unknown, res: express.Response): void => {
    const code = errorCode(error);
    // The deadlines destroy an upstream request at the timeout; a reset that late is the same thing.
    const timedOut = error instanceof UpstreamTimeoutError || Date.now() - Number(res.locals.startedAt ?? Date.now()) >= timeoutMs;
    const failure = timedOut
      ? new AppError(504, 'UPSTREAM_TIMEOUT', `The ${name} service did not answer in time`)
      : UNREACHABLE.has(code)
        ? new AppError(503, 'SERVICE_UNAVAILABLE', `The ${name} service is unavailable; try again shortly`)
        : new AppError(502, 'BAD_GATEWAY', `The ${name} service gave no valid answer`);
    logger.warn('proxy error', { upstream: name, code, status: failure.status, requestId: res.req.headers[REQUEST_ID_HEADER] });
    if (!res.headersSent) res.status(failure.status).json(errorBody(failure));
  };
}

/**
 * Methods whose repetition changes nothing more than one request (the shop's PUTs set a quantity
 * or a wishlist entry, its DELETEs remove one): they are sent again on another instance when the
 * first lost its connection before an answer. A POST never is, not even POST /shopping/order
 * (one order per cart version, but a cart may change between two attempts): the client decides.
 */
const RETRIABLE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
/** No connection at all (refused), or one that dropped before any answer: the instance is gone. */
const CONNECTION_LOST = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH']);

/** Once per request, before any answer went out, with another instance up to take it. */
function mayRetry(res: express.Response, name: UpstreamName, upstreams: Upstreams, code: string): boolean {
  const failed = res.locals.upstream as string | undefined;
  return (
    CONNECTION_LOST.has(code) && !res.headersSent && !res.locals.retried && RETRIABLE_METHODS.has(res.req.method) && failed !== undefined && upstreams.hasOtherUp(name, failed)
  );
}

/** A GET or HEAD that announces no body: nothing to read before the request can be passed on. */
function isBodyless(req: express.Request): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && req.headers['transfer-encoding'] === undefined && (req.headers['content-length'] ?? '0') === '0';
}

/** What a bodyless request is sent on with: express-http-proxy takes a body already on req.body as read. */
const NO_BODY = Buffer.alloc(0);

/**
 * No response decorators: with none, express-http-proxy streams the answer through instead of
 * buffering it whole (a 250 kB catalogue per request, which grew the gateway past 1 GB under load).
 * Request bodies are read whole first (sent with a Content-Length, kept on req.body for a retry);
 * a bodyless GET or HEAD is given an empty one instead, so nothing is read or piped for it.
 */
function serviceProxy(name: UpstreamName, upstreams: Upstreams, config: GatewayConfig, logger: Logger): RequestHandler {
  const deadlines = new UpstreamDeadlines(config.proxyTimeoutMs);
  const proxied = proxy(
    (req) => {
      const url = upstreams.pick(name);
      if (req.res) req.res.locals.upstream = url;
      return url;
    },
    {
      memoizeHost: false,
      limit: config.bodyLimit,
      proxyReqOptDecorator: (options, req) => {
        // express-http-proxy asks for `connection: close` by default; reuse connections instead.
        options.agent = keepAliveAgent;
        (options as DeadlineRequestOptions).deadlines = deadlines;
        if (options.headers) {
          options.headers.connection = 'keep-alive';
          // The body is read whole and sent with a Content-Length: a client's Transfer-Encoding beside
          // it would frame the request twice (refused by Node, ambiguous to a lenient server).
          delete options.headers['transfer-encoding'];
          // The client as the gateway sees it (never a client's own claim), for the services' limits.
          options.headers['x-forwarded-for'] = clientAddress(req);
        }
        return options;
      },
      proxyErrorHandler: (error, res, next) => {
        if (error && typeof error === 'object' && 'type' in error) return next(error); // body too large etc.
        const code = errorCode(error);
        // Passive health: skipped until the background check finds it ready again.
        if (CONNECTION_LOST.has(code) && res.locals.upstream) upstreams.markDown(res.locals.upstream as string);
        if (mayRetry(res, name, upstreams, code)) {
          res.locals.retried = true;
          logger.warn('retrying on another instance', { upstream: name, code, requestId: res.req.headers[REQUEST_ID_HEADER] });
          // The body read the first time is still on req.body, and express-http-proxy sends that.
          return handler(res.req, res, next);
        }
        proxyError(name, logger, config.proxyTimeoutMs)(error, res);
      },
    },
  );
  const handler: RequestHandler = (req, res, next) => {
    if (isBodyless(req)) req.body = NO_BODY;
    proxied(req, res, next);
  };
  return handler;
}

/**
 * CORS for browsers' cross-origin calls, which always carry an Origin. Any other request only
 * learns that answers vary by Origin (for caches), without the cors package's work on every request.
 */
function browserCors(origins: string[]): RequestHandler {
  const grant = cors({ origin: origins, exposedHeaders: ['x-request-id'], maxAge: 600 });
  return (req, res, next) => {
    if (req.headers.origin !== undefined) return grant(req, res, next);
    res.setHeader('Vary', 'Origin');
    next();
  };
}

/**
 * The gateway's steps run in order as one Express layer: every app-level layer costs each proxied
 * request a path match and a hop through the router. An error ends the chain at `next`.
 */
function inOneLayer(...handlers: RequestHandler[]): RequestHandler {
  return (req, res, next) => {
    let index = 0;
    const step = (error?: unknown): void => {
      if (error !== undefined) return next(error);
      const handler = handlers[index++];
      if (handler) handler(req, res, step);
      else next();
    };
    step();
  };
}

/** The paths the gateway answers itself (matched as Express does: any case, optional trailing slash). */
const OWN_PATH = /^\/(health|openapi\.json|docs|images)(\/|$)/i;

/** What the gateway answers itself: aggregated health, API docs and product images. */
export function ownRoutes(upstreams: Upstreams): Router {
  const router = express.Router();
  router.get('/health', aggregatedHealth(upstreams));
  router.use(apiDocs()); // GET /openapi.json and Swagger UI at GET /docs
  router.use(productImages()); // GET /images/<file>, the products' banners
  return router;
}

/**
 * Where a request goes once the gateway's own steps are done: its own routes for their paths, a
 * 404 for a service's internal paths, any other path to the service that owns it. A path test
 * decides, so a proxied request never enters the own routes' router (whose exit is a setImmediate).
 */
function routeRequest(own: Router, proxies: Record<UpstreamName, RequestHandler>): RequestHandler {
  const toService: RequestHandler = (req, res, next) => {
    if (isInternalPath(req.path)) return next(new NotFoundError(`No route for ${req.method} ${req.path}`, 'ROUTE_NOT_FOUND'));
    res.locals.startedAt = Date.now();
    proxies[upstreamFor(req.path)](req, res, next);
  };
  return (req, res, next) => {
    if (!OWN_PATH.test(req.path)) return toService(req, res, next);
    // What the own routes leave (another method, say) goes to the owning service.
    own(req, res, (error?: unknown) => (error === undefined || error === null ? toService(req, res, next) : next(error)));
  };
}

/** The only public entry: request ids, CORS, aggregated health, API docs, product images, then each public path to its service. */
export function createGatewayApp(config: GatewayConfig, logger: Logger, upstreams = new Upstreams(config.services)): Express {
  upstreams.startChecks();
  const proxies: Record<UpstreamName, RequestHandler> = {
    customer: serviceProxy('customer', upstreams, config, logger),
    products: serviceProxy('products', upstreams, config, logger),
    shopping: serviceProxy('shopping', upstreams, config, logger),
  };
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', config.trustProxy);
  // The gateway names the id on its own lines: no async context over express-http-proxy's promises.
  app.use(
    inOneLayer(
      requestId({ asyncContext: false }),
      requestLog(logger, (req) => (req.route?.path as string | undefined) ?? `proxy:${upstreamFor(req.path)}`),
      securityHeaders(),
      browserCors(config.corsOrigins),
      rateLimiter({ limit: config.rateLimitPerMinute, windowMs: 60_000 }),
      routeRequest(ownRoutes(upstreams), proxies),
    ),
  );
  app.use(errorHandler(logger));
  return app;
}
