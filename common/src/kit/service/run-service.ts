import type { Router } from 'express';
import type { Connection } from 'mongoose';
import { Broker } from '../broker/broker';
import type { ServiceConfig } from '../config/service-config';
import { flushLaterUpdates } from '../database/later-updates';
import { connectDatabase, isDatabaseConnected } from '../database/mongo';
import { startEventConsumer, type EventHandlers } from '../events/consumer';
import { Outbox } from '../events/outbox';
import { createServiceApp } from '../http/service-app';
import { startServer, type RunningServer } from '../http/server';
import { createLogger, logFormatFor, type Logger } from '../logging/logger';

/** What a service's wiring gets to build its repositories, services, routes and handlers. */
export interface ServiceInfrastructure<Extra> {
  config: ServiceConfig<Extra>;
  logger: Logger;
  connection: Connection;
  broker: Broker;
  outbox: Outbox;
}

export interface ServiceParts {
  routes: Router;
  /** Event handlers by event type; the service's queue is bound to exactly these types. */
  handlers?: EventHandlers;
  /** Runs before the server listens, so that what it sets up is there for the first request (an admin account, the sample catalogue). */
  beforeListen?: () => Promise<void>;
  /** Runs once everything listens: periodic work, asking for a replica catch-up. */
  afterStart?: () => Promise<void>;
}

export interface RunningService<Extra> extends ServiceInfrastructure<Extra> {
  port: number;
  server: RunningServer;
  shutdown: () => Promise<void>;
}

export interface RunServiceOptions<Extra> {
  config: ServiceConfig<Extra>;
  build: (infrastructure: ServiceInfrastructure<Extra>) => Promise<ServiceParts> | ServiceParts;
  /** Which source may send which event type: an event from any other source is dead-lettered. */
  mayPublish: (source: string, type: string) => boolean;
  /** Tests start several services in one process and stop them themselves. */
  handleSignals?: boolean;
  logger?: Logger;
}

/**
 * Starts a service the same way everywhere: database, broker (connecting in the background, so
 * that HTTP works while RabbitMQ is away), outbox relay, event consumer, HTTP server with
 * /health and /ready, and a shutdown that closes them in reverse.
 */
export async function runService<Extra>({ config, build, mayPublish, handleSignals = true, logger: givenLogger }: RunServiceOptions<Extra>): Promise<RunningService<Extra>> {
  const logger = givenLogger ?? createLogger({ service: config.name, level: config.logLevel, format: logFormatFor(config.nodeEnv) });
  const connection = await connectDatabase({ url: config.mongoUrl, dbName: config.dbName, logger, countCommands: config.dbCommandMetrics });
  const broker = new Broker({ url: config.amqpUrl, exchange: config.exchange, logger, name: config.name });
  const brokerReady = broker.start();
  const outbox = new Outbox({ connection, broker, logger });
  const infrastructure: ServiceInfrastructure<Extra> = { config, logger, connection, broker, outbox };
  const parts = await build(infrastructure);
  if (parts.handlers && Object.keys(parts.handlers).length > 0) {
    await startEventConsumer({ broker, connection, logger, queue: config.queue, handlers: parts.handlers, mayPublish });
  }
  outbox.start();
  // Give the broker a moment so that the queue exists before we serve; without it, start anyway:
  // HTTP works while RabbitMQ is away, and events wait in the outbox.
  await Promise.race([brokerReady, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);

  await parts.beforeListen?.();
  const app = createServiceApp({
    logger,
    bodyLimit: config.bodyLimit,
    trustedProxies: config.trustedProxies,
    routes: parts.routes,
    readiness: () => ({
      database: isDatabaseConnected(connection) ? 'up' : 'down',
      broker: broker.isConnected() ? 'up' : 'degraded',
    }),
  });
  const server = await startServer({
    app,
    port: config.port,
    host: config.bindAddress,
    logger,
    handleSignals,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    closers: [() => outbox.stop(), () => flushLaterUpdates(connection), () => broker.close(), () => connection.close()],
  });
  // Catch-up work runs beside HTTP; what it publishes waits in the outbox if the broker is away.
  parts.afterStart?.().catch((error: unknown) => logger.error('start-up task failed', { error }));
  return { ...infrastructure, port: server.port, server, shutdown: server.shutdown };
}
