import { shopMetrics } from '../kit/metrics/metrics';

/** Commands sent to a database, by `collection command`. */
export type CommandCounts = Record<string, number>;

/**
 * The commands a service has sent to its database so far, from db_commands_total: the service's
 * config must have DB_COMMAND_METRICS on.
 */
export async function databaseCommands(dbName: string): Promise<CommandCounts> {
  const { values } = await shopMetrics().dbCommands.get();
  return Object.fromEntries(values.filter(({ labels }) => labels.database === dbName).map(({ labels, value }) => [`${labels.collection} ${labels.command}`, value]));
}

/** What the service sent to its database while `act` ran (and whatever else ran meanwhile), by `collection command`. */
export async function databaseCommandsDuring(dbName: string, act: () => Promise<unknown>): Promise<CommandCounts> {
  const before = await databaseCommands(dbName);
  await act();
  const after = await databaseCommands(dbName);
  return Object.fromEntries(Object.entries(after).flatMap(([key, count]) => (count > (before[key] ?? 0) ? [[key, count - (before[key] ?? 0)]] : [])));
}
