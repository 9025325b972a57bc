import { createLogger, logFormatFor, startServer } from '@shop/common/web';
import { createGatewayApp } from './app';
import { loadGatewayConfig } from './config';
import { startMetricsServer } from './metrics-server';
import { keepAliveAgent, Upstreams } from './upstreams';

const config = loadGatewayConfig();
const logger = createLogger({ service: 'gateway', level: config.logLevel, format: logFormatFor(config.nodeEnv) });

async function start(): Promise<void> {
  const metrics = config.metricsPort === undefined ? undefined : await startMetricsServer(config.metricsPort);
  if (metrics) logger.info('metrics on loopback', { port: metrics.port });
  const upstreams = new Upstreams(config.services);
  await startServer({
    app: createGatewayApp(config, logger, upstreams),
    port: config.port,
    // The gateway is the shop's public entry.
    host: '0.0.0.0',
    logger,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    closers: [async () => upstreams.stopChecks(), async () => keepAliveAgent.destroy(), async () => metrics?.server.close()],
  });
}

start().catch((error: unknown) => {
  process.stderr.write(`gateway failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
