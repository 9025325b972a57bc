import type { RequestHandler } from 'express';
import type { UpstreamName } from './config';
import { isReady, type Upstreams } from './upstreams';

/** 200 only when every instance of every service answers /ready; otherwise 503 naming the rest. */
export function aggregatedHealth(upstreams: Upstreams, timeoutMs = 2000): RequestHandler {
  const names: UpstreamName[] = ['customer', 'products', 'shopping'];
  return (_req, res, next) => {
    Promise.all(names.flatMap((name) => upstreams.all(name).map(async (url) => ({ name, url, ready: await isReady(url, timeoutMs) }))))
      .then((checks) => {
        const services = Object.fromEntries(names.map((name) => [name, checks.filter((c) => c.name === name).every((c) => c.ready) ? 'ready' : 'not-ready']));
        const notReady = names.filter((name) => services[name] !== 'ready');
        if (notReady.length === 0) {
          res.json({ status: 'ok', services });
          return;
        }
        res.status(503).json({
          error: { code: 'SERVICES_NOT_READY', message: `Not ready: ${notReady.join(', ')}`, details: { services } },
        });
      })
      .catch(next);
  };
}
