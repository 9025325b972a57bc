import { execFile, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import { EVENT_PUBLISHERS, type PublishingService } from '../../common/src/contracts/event-publishers';
import { freePort, registerCleanup, startProcess, stopProcess, waitFor } from './processes';

const RABBITMQ_SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';
const RABBITMQCTL = '/usr/lib/rabbitmq/bin/rabbitmqctl';

const SERVICES = Object.keys(EVENT_PUBLISHERS) as PublishingService[];

/** What rabbitmqctl needs to reach a private node (plain data, so a test worker can be given it). */
export interface RabbitMqControl {
  nodeName: string;
  home: string;
  epmdPort: number;
}

export interface RunningRabbitMq {
  /** The node's own administrator (guest, loopback only): for tooling and tests, never a service. */
  url: string;
  /** Each service's own user, allowed to publish only its own event types on `exchange`. */
  serviceUrls: Record<PublishingService, string>;
  passwords: Record<PublishingService, string>;
  control: RabbitMqControl;
  port: number;
  nodeName: string;
  stop: () => Promise<void>;
  process: ChildProcess;
}

export async function canConnectAmqp(url: string): Promise<boolean> {
  try {
    const connection = await amqp.connect(url);
    await connection.close();
    return true;
  } catch {
    return false;
  }
}

/**
 * A private RabbitMQ node: its own node name, AMQP, distribution and epmd ports, data and log
 * folders, and no plugins, so that it never meets the system node or another run's.
 */
export async function startRabbitMq({
  dataDir,
  nodeName,
  port,
  exchange = 'shop.events',
  passwords = generatePasswords(),
}: {
  dataDir: string;
  nodeName: string;
  port?: number;
  /** The topic exchange the service users' publishing rights apply to. */
  exchange?: string;
  /** The service users' passwords: new ones per run, unless a restarted node must keep them. */
  passwords?: Record<PublishingService, string>;
}): Promise<RunningRabbitMq> {
  if (!fs.existsSync(RABBITMQ_SERVER)) {
    throw new Error('rabbitmq-server is not installed: run scripts/ensure-tools.sh (as root it installs it with apt-get)');
  }
  fs.mkdirSync(path.join(dataDir, 'log'), { recursive: true });
  fs.writeFileSync(path.join(dataDir, 'enabled_plugins'), '[].\n');
  const amqpPort = port ?? (await freePort());
  const distPort = await freePort();
  const epmdPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: dataDir, // where the Erlang cookie lives
    RABBITMQ_NODENAME: `${nodeName}@localhost`,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(amqpPort),
    RABBITMQ_DIST_PORT: String(distPort),
    ERL_EPMD_PORT: String(epmdPort),
    ERL_EPMD_ADDRESS: '127.0.0.1',
    RABBITMQ_MNESIA_BASE: path.join(dataDir, 'mnesia'),
    RABBITMQ_LOG_BASE: path.join(dataDir, 'log'),
    RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dataDir, 'enabled_plugins'),
    RABBITMQ_CONFIG_FILE: path.join(dataDir, 'rabbitmq'),
    RABBITMQ_ADVANCED_CONFIG_FILE: path.join(dataDir, 'advanced.config'),
    RABBITMQ_PID_FILE: path.join(dataDir, 'rabbitmq.pid'),
    RABBITMQ_LOGS: path.join(dataDir, 'log', 'rabbit.log'),
    RABBITMQ_ALLOW_INPUT: '',
    // The node's own account, whatever the environment says for other brokers (compose's, say).
    RABBITMQ_DEFAULT_USER: 'guest',
    RABBITMQ_DEFAULT_PASS: 'guest',
  };
  // The default guest user may connect only from loopback, which is all we use.
  fs.writeFileSync(path.join(dataDir, 'rabbitmq.conf'), 'loopback_users = none\n');
  const child = startProcess(RABBITMQ_SERVER, [], { env, logFile: path.join(dataDir, 'log', 'server.out'), cwd: dataDir });
  const url = `amqp://guest:guest@127.0.0.1:${amqpPort}`;
  const stopEpmd = async (): Promise<void> => {
    await promisify(execFile)('epmd', ['-port', String(epmdPort), '-kill'], { env }).catch(() => undefined);
  };
  const stop = async (): Promise<void> => {
    unregister();
    await stopProcess(child, 15_000);
    await stopEpmd();
  };
  const unregister = registerCleanup(stop);
  const control: RabbitMqControl = { nodeName, home: dataDir, epmdPort };
  try {
    await waitFor('RabbitMQ', () => canConnectAmqp(url), 90_000, child);
    await importDefinitions(control, serviceUserDefinitions(exchange, passwords));
  } catch (error) {
    await stop();
    throw error;
  }
  const serviceUrls = Object.fromEntries(SERVICES.map((service) => [service, `amqp://${service}:${passwords[service]}@127.0.0.1:${amqpPort}`])) as Record<
    PublishingService,
    string
  >;
  return { url, serviceUrls, passwords, control, port: amqpPort, nodeName, process: child, stop };
}

function generatePasswords(): Record<PublishingService, string> {
  return Object.fromEntries(SERVICES.map((service) => [service, randomBytes(24).toString('hex')])) as Record<PublishingService, string>;
}

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A service's rights on the vhost, whatever a deployment's exchange and queue prefix: anything
 * but the broker's own `amq.*` names (above all `amq.default`, which reaches every queue by
 * name) and the other services' queues (`[<prefix>]<service>[.<suffix>]`). Server-named queues
 * (`amq.gen-*`) stay allowed: they belong to the connection that made them.
 */
export function serviceVhostPattern(service: PublishingService): string {
  const others = SERVICES.filter((other) => other !== service).join('|');
  return `^(amq\\.gen-.*|(?!amq\\.)(?!(.*\\.)?(${others})(\\..*)?$).*)$`;
}

/** The routing keys a service may publish on the shop's topic exchange: its event types, exactly. */
export function servicePublishPattern(service: PublishingService): string {
  return `^(${EVENT_PUBLISHERS[service].map(escapeRegex).join('|')})$`;
}

/** RabbitMQ's default password hash: a 4-byte salt, then SHA-256 of salt and password, in base64. */
function rabbitPasswordHash(password: string): string {
  const salt = randomBytes(4);
  return Buffer.concat([
    salt,
    createHash('sha256')
      .update(Buffer.concat([salt, Buffer.from(password, 'utf8')]))
      .digest(),
  ]).toString('base64');
}

/**
 * The service users' vhost rights and publishing rights on `exchange`, as RabbitMQ definitions
 * (with the users themselves when their passwords are given). docker compose loads the same,
 * from deploy/rabbitmq/service-permissions.json, which a test keeps equal to this.
 */
export function serviceUserDefinitions(exchange: string, passwords?: Record<PublishingService, string>): object {
  return {
    ...(passwords && {
      users: SERVICES.map((name) => ({ name, password_hash: rabbitPasswordHash(passwords[name]), hashing_algorithm: 'rabbit_password_hashing_sha256', tags: '' })),
    }),
    permissions: SERVICES.map((user) => {
      const pattern = serviceVhostPattern(user);
      return { user, vhost: '/', configure: pattern, write: pattern, read: pattern };
    }),
    topic_permissions: SERVICES.map((user) => ({ user, vhost: '/', exchange, write: servicePublishPattern(user), read: '.*' })),
  };
}

/**
 * Lets the service users publish their own event types on one more exchange (RabbitMQ's topic
 * permissions name their exchange exactly): each test deployment has its own.
 */
export function grantServiceUsers(control: RabbitMqControl, exchange: string): Promise<void> {
  return importDefinitions(control, serviceUserDefinitions(exchange));
}

async function importDefinitions(control: RabbitMqControl, definitions: object): Promise<void> {
  const file = path.join(control.home, `definitions-${randomBytes(6).toString('hex')}.json`);
  fs.writeFileSync(file, JSON.stringify(definitions), { mode: 0o600 });
  try {
    await rabbitmqctl(control, ['import_definitions', file]);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

async function rabbitmqctl(control: RabbitMqControl, args: string[]): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: control.home, RABBITMQ_NODENAME: `${control.nodeName}@localhost`, ERL_EPMD_PORT: String(control.epmdPort) };
  const { stdout } = await promisify(execFile)(RABBITMQCTL, ['-q', '-n', `${control.nodeName}@localhost`, ...args], { env, timeout: 60_000 });
  return stdout;
}
