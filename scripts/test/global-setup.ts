import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { REPO_ROOT, startInfrastructure, type Infrastructure } from '../infra';
import { startFerretDb } from '../infra/ferretdb';
import { stopAllOnSignals } from '../infra/processes';
import { olderNodeNote } from '../node-version';

/** What the run started or was given; the teardown stops what was started. */
type TestServers = Pick<Infrastructure, 'mongoUrl' | 'stop' | 'serviceAmqpUrls' | 'brokerControl'> & { amqpUrl?: string };

declare global {
  var shopTestInfrastructure: TestServers | undefined;
}

// The MongoDB conformance suite talks to the database only: a run of nothing else starts no broker.
const DATABASE_ONLY_SUITE = path.join('scripts', 'ferretdb', 'conformance');

/** True when every test path pattern given to jest points into the database-only suite. */
function runsDatabaseOnlySuite(patterns: readonly string[]): boolean {
  return patterns.length > 0 && patterns.every((pattern) => pattern.includes(DATABASE_ONLY_SUITE));
}

/** MONGO_URL when given, else a private FerretDB under dataDir. */
async function startDatabase(dataDir: string, log: (line: string) => void): Promise<TestServers> {
  const given = process.env.MONGO_URL;
  if (given) {
    log(`MongoDB at ${given} (given); no RabbitMQ: this run needs none`);
    return { mongoUrl: given, stop: async () => undefined };
  }
  const ferret = await startFerretDb({ dataDir: path.join(dataDir, 'ferretdb') });
  log(`MongoDB (FerretDB) at ${ferret.url}; no RabbitMQ: this run needs none`);
  return { mongoUrl: ferret.url, stop: ferret.stop };
}

/**
 * Jest runs no global teardown when the run is interrupted (Ctrl-C, a kill), and the servers run
 * in process groups of their own, out of the terminal's reach: they stop with the run instead.
 */
function stopServersWhenInterrupted(dataDir: string): void {
  stopAllOnSignals({
    signals: ['SIGINT', 'SIGTERM', 'SIGHUP'],
    exitCode: (signal) => 128 + os.constants.signals[signal],
    after: () => fs.rmSync(dataDir, { recursive: true, force: true }),
  });
}

/**
 * Starts one FerretDB and one RabbitMQ node for the run (or uses MONGO_URL / AMQP_URL), and hands
 * their URLs to the test workers through the environment. If they cannot start, the run fails.
 */
export default async function globalSetup(globalConfig: { testPathPatterns?: { patterns: readonly string[] } }): Promise<void> {
  const needsBroker = !runsDatabaseOnlySuite(globalConfig.testPathPatterns?.patterns ?? []);
  if (!process.env.MONGO_URL || (needsBroker && !process.env.AMQP_URL)) {
    // A fresh machine: build FerretDB and install RabbitMQ first (quick when they are there).
    execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'ensure-tools.sh')], { stdio: 'inherit' });
  }
  const base = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
  const dataDir = fs.mkdtempSync(path.join(base, 'shop-test-'));
  stopServersWhenInterrupted(dataDir);
  const log = (line: string): void => void process.stdout.write(`\n[test infrastructure] ${line}\n`);
  const note = olderNodeNote();
  if (note) log(note);
  const servers: TestServers = needsBroker
    ? await startInfrastructure({ dataDir, nodeName: `shop-test-${process.pid}`, mongoUrl: process.env.MONGO_URL, amqpUrl: process.env.AMQP_URL, log })
    : await startDatabase(dataDir, log);
  process.env.TEST_MONGO_URL = servers.mongoUrl;
  if (servers.amqpUrl) process.env.TEST_AMQP_URL = servers.amqpUrl;
  // The service users of the node started here; each test deployment grants them its own exchange.
  if (servers.serviceAmqpUrls) process.env.TEST_AMQP_SERVICE_URLS = JSON.stringify(servers.serviceAmqpUrls);
  if (servers.brokerControl) process.env.TEST_RABBITMQ_CONTROL = JSON.stringify(servers.brokerControl);
  process.env.TEST_DATA_DIR = dataDir;
  globalThis.shopTestInfrastructure = servers;
}
