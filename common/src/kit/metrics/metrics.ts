import type { RequestHandler } from 'express';
import client from 'prom-client';

/** Something that can say how many events wait to be published (an outbox). */
type BacklogSource = () => Promise<number>;

export interface ShopMetrics {
  registry: client.Registry;
  httpDuration: client.Histogram<'method' | 'route' | 'status'>;
  eventsPublished: client.Counter<'type'>;
  eventsConsumed: client.Counter<'type' | 'outcome'>;
  deadLettered: client.Counter<'queue'>;
  dbCommands: client.Counter<'database' | 'collection' | 'command'>;
  /** Registers an outbox whose backlog the outbox_backlog gauge reports. */
  addBacklogSource: (source: BacklogSource) => () => void;
}

let metrics: ShopMetrics | undefined;

/**
 * The process's metrics, created once: a process is one service, but tests start several
 * services in one process and they share these.
 */
export function shopMetrics(): ShopMetrics {
  if (metrics) return metrics;
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const backlogSources = new Set<BacklogSource>();
  metrics = {
    registry,
    httpDuration: new client.Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    eventsPublished: new client.Counter({ name: 'events_published_total', help: 'Events published with a broker confirm, by type', labelNames: ['type'], registers: [registry] }),
    eventsConsumed: new client.Counter({
      name: 'events_consumed_total',
      help: 'Events consumed, by type and outcome (applied, duplicate, retried, dead-lettered, ignored)',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    }),
    deadLettered: new client.Counter({ name: 'events_dead_lettered_total', help: 'Messages sent to a dead-letter queue', labelNames: ['queue'], registers: [registry] }),
    dbCommands: new client.Counter({
      name: 'db_commands_total',
      help: 'Database commands sent, by database, collection and command (only with DB_COMMAND_METRICS)',
      labelNames: ['database', 'collection', 'command'],
      registers: [registry],
    }),
    addBacklogSource: (source) => {
      backlogSources.add(source);
      return () => backlogSources.delete(source);
    },
  };
  new client.Gauge({
    name: 'outbox_backlog',
    help: 'Events stored in the outbox and not yet published',
    registers: [registry],
    async collect() {
      const counts = await Promise.all([...backlogSources].map((source) => source().catch(() => 0)));
      this.set(counts.reduce((sum, count) => sum + count, 0));
    },
  });
  return metrics;
}

/** GET /metrics in Prometheus' text format. */
export function metricsHandler(): RequestHandler {
  return (_req, res, next) => {
    const { registry } = shopMetrics();
    registry.metrics().then((body) => {
      res.type(registry.contentType).send(body);
    }, next);
  };
}
