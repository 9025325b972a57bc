/**
 * `npm start` (and `npm run dev`): the whole shop on this machine. Without MONGO_URL / AMQP_URL it
 * starts a private FerretDB and RabbitMQ with data under .data/ or SHOP_DATA_DIR (kept across
 * restarts); then the three services and the gateway as separate processes. Ctrl-C or SIGTERM,
 * at any moment of start-up, stops all of it.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { DEFAULT_PORTS, loadEnvFiles } from '@shop/common';
import { REPO_ROOT, startInfrastructure } from './infra';
import { stopAllOnSignals } from './infra/processes';
import { olderNodeNote } from './node-version';
import { startShopProcesses } from './shop-processes';

const dev = process.argv.includes('--dev');
const say = (line: string): void => {
  process.stdout.write(`[shop] ${line}\n`);
};

// First thing: processes register as they are spawned, and a signal at any moment of start-up
// stops what has started so far.
const { stopAll, stopping } = stopAllOnSignals({ before: () => say('stopping...'), after: () => say('stopped') });

async function main(): Promise<void> {
  const note = olderNodeNote();
  if (note) say(note);
  loadEnvFiles();
  const env = process.env;
  const given = { mongoUrl: env.MONGO_URL || undefined, amqpUrl: env.AMQP_URL || undefined };
  if (!given.mongoUrl || !given.amqpUrl) {
    execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'ensure-tools.sh')], { stdio: 'inherit' });
  }

  const infrastructure = await startInfrastructure({
    dataDir: env.SHOP_DATA_DIR || path.join(REPO_ROOT, '.data'),
    nodeName: 'shop',
    exchange: env.AMQP_EXCHANGE,
    ...given,
    log: say,
  });
  const port = (name: keyof typeof DEFAULT_PORTS): number => Number(env[`${name.toUpperCase()}_PORT`] ?? DEFAULT_PORTS[name]);
  await startShopProcesses({
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
  // A start-up cut short by a signal fails on the way; that is no news.
  if (stopping()) return;
  say(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
  void stopAll(1);
});
