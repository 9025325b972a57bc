/**
 * `npm start` (and `npm run dev`): the whole shop on this machine. Without MONGO_URL / AMQP_URL it
 * starts a private FerretDB and RabbitMQ with data under .data/ (kept across restarts); then the
 * three services and the gateway as separate processes. Ctrl-C or SIGTERM stops all of it.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { DEFAULT_PORTS, loadEnvFiles } from '@shop/common';
import { REPO_ROOT, startInfrastructure, type Infrastructure } from './infra';
import { runAllCleanups } from './infra/processes';
import { startShopProcesses, type ShopProcesses } from './shop-processes';

const dev = process.argv.includes('--dev');
const say = (line: string): void => {
  process.stdout.write(`[shop] ${line}\n`);
};

let infrastructure: Infrastructure | undefined;
let shop: ShopProcesses | undefined;
let stopping = false;

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    say('stopping...');
    await shop?.stop();
    await infrastructure?.stop();
    await runAllCleanups(); // anything a start-up cut short had begun
    say('stopped');
  }
  process.exit(code);
}

async function main(): Promise<void> {
  loadEnvFiles();
  const env = process.env;
  const given = { mongoUrl: env.MONGO_URL || undefined, amqpUrl: env.AMQP_URL || undefined };
  if (!given.mongoUrl || !given.amqpUrl) {
    execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'ensure-tools.sh')], { stdio: 'inherit' });
  }

  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  infrastructure = await startInfrastructure({
    dataDir: path.join(REPO_ROOT, '.data'),
    nodeName: 'shop',
    exchange: env.AMQP_EXCHANGE,
    ...given,
    log: say,
  });
  const port = (name: keyof typeof DEFAULT_PORTS): number => Number(env[`${name.toUpperCase()}_PORT`] ?? DEFAULT_PORTS[name]);
  shop = await startShopProcesses({
    mode: dev ? 'dev' : 'dist',
    instances: Number(env.INSTANCES ?? 1),
    gatewayPort: port('gateway'),
    servicePorts: { customer: port('customer'), products: port('products'), shopping: port('shopping') },
    amqpUrls: infrastructure.serviceAmqpUrls,
    env: {
      SEED_CATALOGUE: 'true',
      ...env,
      MONGO_URL: infrastructure.mongoUrl,
      AMQP_URL: infrastructure.amqpUrl,
    },
    onOutput: (name, line) => process.stdout.write(`${name.padEnd(11)}| ${line}\n`),
    onUnexpectedExit: (name, code) => {
      if (dev) return; // nodemon restarts it
      say(`${name} exited unexpectedly (code ${code}); stopping the shop`);
      void stopAll(1);
    },
  });
  say(`ready: the gateway listens on http://localhost:${port('gateway')} (Ctrl-C stops everything)`);
}

main().catch((error: unknown) => {
  say(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
  void stopAll(1);
});
