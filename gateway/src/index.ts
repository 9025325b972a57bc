import { createLogger, logFormatFor, startServer } from '@shop/common/web';
import { createGatewayApp } from './app';
import { loadGatewayConfig } from './config';
import { keepAliveAgent } from './upstreams';

const config = loadGatewayConfig();
const logger = createLogger({ service: 'gateway', level: config.logLevel, format: logFormatFor(config.nodeEnv) });

startServer({
  app: createGatewayApp(config, logger),
  port: config.port,
  logger,
  shutdownTimeoutMs: config.shutdownTimeoutMs,
  closers: [async () => keepAliveAgent.destroy()],
}).catch((error: unknown) => {
  process.stderr.write(`gateway failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
