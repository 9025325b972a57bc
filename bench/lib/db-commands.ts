/**
 * Commands FerretDB received, by name, from its Prometheus metrics: how many database round trips
 * an order costs the shop, every service together.
 */
import type { ServiceName, Target } from './shop';
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

/** Commands a service sent, by `collection command` (its db_commands_total, with DB_COMMAND_METRICS on). */
export type ServiceCommands = Record<string, CommandCounts>;

const SERVICE_COMMANDS = /^db_commands_total\{database="[^"]*",collection="([^"]*)",command="([^"]+)"\} (\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/;

/** Each service's counters now (from its /metrics), or undefined when they are not kept. */
export async function serviceCommands(direct: Partial<Record<ServiceName, string>>): Promise<ServiceCommands | undefined> {
  const result: ServiceCommands = {};
  let seen = false;
  for (const [service, url] of Object.entries(direct)) {
    const response = await fetch(`${url}/metrics`).catch(() => undefined);
    if (!response?.ok) continue;
    const counts: CommandCounts = {};
    for (const line of (await response.text()).split('\n')) {
      const match = SERVICE_COMMANDS.exec(line);
      if (!match) continue;
      seen = true;
      const key = `${match[1] || '-'} ${match[2]}`;
      counts[key] = (counts[key] ?? 0) + Number(match[3]);
    }
    result[service] = counts;
  }
  return seen ? result : undefined;
}

export interface CommandRow {
  service: string;
  collection: string;
  command: string;
  perOrder: number;
}

/** Commands per placed order by service, collection and command, most first. */
export function commandBreakdown(before: ServiceCommands, after: ServiceCommands, orders: number): CommandRow[] {
  const rows: CommandRow[] = [];
  for (const [service, counts] of Object.entries(after)) {
    for (const [key, count] of Object.entries(counts)) {
      const made = count - (before[service]?.[key] ?? 0);
      if (made <= 0) continue;
      const [collection = '', command = ''] = key.split(' ');
      rows.push({ service, collection, command, perOrder: round(made / orders, 2) });
    }
  }
  return rows.sort((a, b) => b.perOrder - a.perOrder || a.service.localeCompare(b.service));
}

export function formatBreakdown(rows: CommandRow[]): string[] {
  const total = round(
    rows.reduce((sum, row) => sum + row.perOrder, 0),
    1,
  );
  const byService = new Map<string, number>();
  for (const row of rows) byService.set(row.service, (byService.get(row.service) ?? 0) + row.perOrder);
  return [
    '| service | collection | command | per order |',
    '| --- | --- | --- | ---: |',
    ...rows.map((row) => `| ${row.service} | ${row.collection} | ${row.command} | ${row.perOrder} |`),
    ...[...byService].map(([service, sum]) => `| **${service}** | | | **${round(sum, 1)}** |`),
    `| **all** | | | **${total}** |`,
  ];
}
