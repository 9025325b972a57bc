import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { REPO_ROOT, startInfrastructure, type Infrastructure } from '../infra';

declare global {
  var shopTestInfrastructure: Infrastructure | undefined;
}

/**
 * Starts one FerretDB and one RabbitMQ node for the run (or uses MONGO_URL / AMQP_URL), and hands
 * their URLs to the test workers through the environment. If they cannot start, the run fails.
 */
export default async function globalSetup(): Promise<void> {
  if (!process.env.MONGO_URL || !process.env.AMQP_URL) {
    // A fresh machine: build FerretDB and install RabbitMQ first (quick when they are there).
    execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'ensure-tools.sh')], { stdio: 'inherit' });
  }
  const base = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
  const dataDir = fs.mkdtempSync(path.join(base, 'shop-test-'));
  const infrastructure = await startInfrastructure({
    dataDir,
    nodeName: `shop-test-${process.pid}`,
    mongoUrl: process.env.MONGO_URL,
    amqpUrl: process.env.AMQP_URL,
    log: (line) => process.stdout.write(`\n[test infrastructure] ${line}\n`),
  });
  process.env.TEST_MONGO_URL = infrastructure.mongoUrl;
  process.env.TEST_AMQP_URL = infrastructure.amqpUrl;
  process.env.TEST_DATA_DIR = dataDir;
  globalThis.shopTestInfrastructure = infrastructure;
}
