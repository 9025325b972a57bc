/**
 * Commands FerretDB received, by name, from its Prometheus metrics: how many database round trips
 * an order costs the shop, every service together.
 */
import type { Target } from './shop';
import { round } from './stats';

export type CommandCounts = Record<string, number>;

export interface DbCommands {
  /** All commands per placed order. */
  perOrder: number;
  /** Per placed order, by command name (find, insert, update, delete, findAndModify, ...). */
  byCommand: CommandCounts;
}

const REQUESTS = /^ferretdb_client_requests_total\{command="([^"]+)",opcode="[^"]*"\} (\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/;
// The driver's own traffic (handshakes, session ends), not the shop's work.
const CONNECTION_COMMANDS = new Set(['hello', 'isMaster', 'ismaster', 'ping', 'endSessions', 'unknown', 'saslStart', 'saslContinue', 'buildInfo']);

/** The counters now, or undefined when this run cannot see them (a shop given by URL). */
export async function ferretDbCommands(target: Pick<Target, 'ferretDbMetricsUrl'>): Promise<CommandCounts | undefined> {
  if (!target.ferretDbMetricsUrl) return undefined;
  const response = await fetch(target.ferretDbMetricsUrl).catch(() => undefined);
  if (!response?.ok) return undefined;
  const counts: CommandCounts = {};
  for (const line of (await response.text()).split('\n')) {
    const match = REQUESTS.exec(line);
    if (match && !CONNECTION_COMMANDS.has(match[1]!)) counts[match[1]!] = (counts[match[1]!] ?? 0) + Number(match[2]);
  }
  return counts;
}

export function commandsPerOrder(before: CommandCounts, after: CommandCounts, orders: number): DbCommands {
  const byCommand: CommandCounts = {};
  let total = 0;
  for (const [command, count] of Object.entries(after)) {
    const made = count - (before[command] ?? 0);
    if (made <= 0) continue;
    byCommand[command] = round(made / orders, 1);
    total += made;
  }
  return { perOrder: round(total / orders, 1), byCommand };
}

export function formatCommands({ byCommand }: DbCommands): string {
  return Object.entries(byCommand)
    .sort(([, a], [, b]) => b - a)
    .map(([command, count]) => `${command} ${count}`)
    .join(', ');
}
