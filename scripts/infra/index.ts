import fs from 'node:fs';
import path from 'node:path';
import { startFerretDb } from './ferretdb';
import { startRabbitMq, type RabbitMqControl } from './rabbitmq';
import type { PublishingService } from '../../common/src/contracts/event-publishers';

export { REPO_ROOT } from './ferretdb';

export interface Infrastructure {
  mongoUrl: string;
  /** The broker's administrator: for tooling and tests. */
  amqpUrl: string;
  /** Each service's own broker user, when the broker was started here (a given AMQP_URL serves all). */
  serviceAmqpUrls?: Record<PublishingService, string>;
  /** rabbitmqctl's way to the broker started here. */
  brokerControl?: RabbitMqControl;
  /** FerretDB's metrics, when it was started here with `ferretDbDebugPort`. */
  ferretDbMetricsUrl?: string;
  /** Stops what this call started; servers given by URL are left alone. */
  stop: () => Promise<void>;
}

export interface InfrastructureOptions {
  dataDir: string;
  /** RabbitMQ node name; a fixed one keeps a node's data across restarts. */
  nodeName: string;
  mongoUrl?: string;
  amqpUrl?: string;
  /** The topic exchange whose routing keys the service users' rights name (default `shop.events`). */
  exchange?: string;
  /** Starts FerretDB with its debug handler (metrics, pprof) on this loopback port. */
  ferretDbDebugPort?: number;
  log?: (line: string) => void;
}

/**
 * Uses MONGO_URL / AMQP_URL when given; otherwise starts a private FerretDB and RabbitMQ node
 * with data under dataDir, on free loopback ports, and waits until both answer.
 */
export async function startInfrastructure({
  dataDir,
  nodeName,
  mongoUrl,
  amqpUrl,
  exchange,
  ferretDbDebugPort,
  log = () => undefined,
}: InfrastructureOptions): Promise<Infrastructure> {
  fs.mkdirSync(dataDir, { recursive: true });
  const [ferret, rabbit] = await Promise.allSettled([
    mongoUrl ? Promise.resolve(undefined) : startFerretDb({ dataDir: path.join(dataDir, 'ferretdb'), debugPort: ferretDbDebugPort }),
    amqpUrl ? Promise.resolve(undefined) : startRabbitMq({ dataDir: path.join(dataDir, 'rabbitmq'), nodeName, exchange }),
  ]);
  const started = [ferret, rabbit].flatMap((result) => (result.status === 'fulfilled' && result.value ? [result.value] : []));
  const stop = async (): Promise<void> => {
    await Promise.all(started.map((server) => server.stop()));
  };
  const failed = [ferret, rabbit].find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  const resolvedMongo = mongoUrl ?? (ferret.status === 'fulfilled' ? ferret.value?.url : undefined);
  const resolvedAmqp = amqpUrl ?? (rabbit.status === 'fulfilled' ? rabbit.value?.url : undefined);
  if (!resolvedMongo || !resolvedAmqp) throw new Error('infrastructure did not start');
  log(`MongoDB (FerretDB) at ${resolvedMongo}${mongoUrl ? ' (given)' : ''}; RabbitMQ at ${resolvedAmqp.replace(/\/\/[^@]*@/, '//')}${amqpUrl ? ' (given)' : ''}`);
  const ferretDbMetricsUrl = ferret.status === 'fulfilled' ? ferret.value?.metricsUrl : undefined;
  const startedBroker = rabbit.status === 'fulfilled' ? rabbit.value : undefined;
  return {
    mongoUrl: resolvedMongo,
    amqpUrl: resolvedAmqp,
    ...(startedBroker ? { serviceAmqpUrls: startedBroker.serviceUrls, brokerControl: startedBroker.control } : {}),
    ...(ferretDbMetricsUrl ? { ferretDbMetricsUrl } : {}),
    stop,
  };
}
