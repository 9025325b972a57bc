import { execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import { freePort, registerCleanup, startProcess, stopProcess, waitFor } from './processes';

const RABBITMQ_SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';

export interface RunningRabbitMq {
  url: string;
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
export async function startRabbitMq({ dataDir, nodeName, port }: { dataDir: string; nodeName: string; port?: number }): Promise<RunningRabbitMq> {
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
  try {
    await waitFor('RabbitMQ', () => canConnectAmqp(url), 90_000, child);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port: amqpPort, nodeName, process: child, stop };
}
