/**
 * `npm run infra`: only the local FerretDB and RabbitMQ of `npm start` (data under .data/), for
 * running a service by hand with MONGO_URL / AMQP_URL. Ctrl-C stops both.
 */
import path from 'node:path';
import { REPO_ROOT, startInfrastructure } from '.';
import { runAllCleanups } from './processes';

async function main(): Promise<void> {
  const infrastructure = await startInfrastructure({ dataDir: path.join(REPO_ROOT, '.data'), nodeName: 'shop', log: (line) => process.stdout.write(`${line}\n`) });
  process.stdout.write(`MONGO_URL=${infrastructure.mongoUrl}\nAMQP_URL=${infrastructure.amqpUrl}\n(Ctrl-C stops both)\n`);
  const stop = (): void => {
    void infrastructure.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch(async (error: unknown) => {
  process.stderr.write(`infra failed: ${error instanceof Error ? error.message : String(error)}\n`);
  await runAllCleanups();
  process.exit(1);
});
