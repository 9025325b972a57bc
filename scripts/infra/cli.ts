/**
 * `npm run infra`: only the local FerretDB and RabbitMQ of `npm start` (data under .data/), for
 * running a service by hand with MONGO_URL / AMQP_URL. Ctrl-C stops both, also during start-up.
 */
import path from 'node:path';
import { REPO_ROOT, startInfrastructure } from '.';
import { stopAllOnSignals } from './processes';

// First thing: a signal during start-up must find the servers already started, to stop them.
const { stopAll, stopping } = stopAllOnSignals();

async function main(): Promise<void> {
  const infrastructure = await startInfrastructure({ dataDir: path.join(REPO_ROOT, '.data'), nodeName: 'shop', log: (line) => process.stdout.write(`${line}\n`) });
  process.stdout.write(`MONGO_URL=${infrastructure.mongoUrl}\nAMQP_URL=${infrastructure.amqpUrl}\n(Ctrl-C stops both)\n`);
}

main().catch((error: unknown) => {
  if (stopping()) return;
  process.stderr.write(`infra failed: ${error instanceof Error ? error.message : String(error)}\n`);
  void stopAll(1);
});
