/**
 * `npm run bench`: the shop under load (issue 7). Starts the shop (or uses one given by --url),
 * seeds 1,000 products over 10 categories and 200 customers through the API, then measures each
 * case through the gateway and directly at the owning service, a bare node:http ceiling, the event
 * lag of orders, GET /:id latency with log-ins beside it, the cost of per-request logging and the
 * RSS of every process. Prints a markdown table; writes JSON to bench/results/<timestamp>.json.
 * `--help` lists the options; bench/README.md explains the method.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REQUEST_CASES, type RequestCase } from './lib/cases';
import { request, sleep } from './lib/http';
import { runAutocannon, runPaced, type LabelledRequest, type LoadResult, type PacedResult } from './lib/load';
import { commandBreakdown, commandsPerOrder, ferretDbCommands, formatBreakdown, formatCommands, serviceCommands, type CommandRow, type DbCommands } from './lib/db-commands';
import { runOrderFlows, type OrderFlowResult } from './lib/orders';
import { formatProfile, summariseProfile, type ProfileSummary } from './lib/profile';
import { Quiescence } from './lib/quiesce';
import { timeCartEventBurst, type EventBurst } from './lib/event-throughput';
import { compareHistory, compareLogins, type ScaleCompare } from './lib/scale';
import { findProcesses, RssSampler, type RssSample } from './lib/rss';
import { CUSTOMER_PASSWORD, seed, type Customer, type SeedResult } from './lib/seed';
import { cleanUpInterruptedStart, givenShop, startBareHop, startBareServer, startExtraInstance, startOwnShop, type ExtraInstance, type ServiceName, type Target } from './lib/shop';
import { median, round, Samples, type LatencySummary } from './lib/stats';

const REPO_ROOT = path.resolve(__dirname, '..');
/** Names of profiled processes that are not in the shop's process map (pid -> name). */
const profileNames = new Map<string, string>();
const ALL_CASES = ['ceiling', ...REQUEST_CASES.map((c) => c.id), 'lag', 'bcrypt', 'logging', 'events', 'login-scale', 'history'] as const;

const USAGE = `npm run bench -- [options]

  --duration S        seconds per measured run (default 8)
  --warmup S          seconds of unmeasured load before each run (default 1)
  --connections N     autocannon connections (default 20; log-in uses 8)
  --repeat N          runs per case and target, interleaved gateway/direct; medians reported (default 1)
  --cases a,b         only these cases: ${ALL_CASES.join(', ')}
  --lag-rates a,b     orders per second for the event lag, one run each (default 5,50: a rate the
                      shop sustains, then the issue's 50)
  --lag-seconds S     how long orders are placed for the lag (default 15)
  --lag-poll-ms N     how often a placed order's customer view is read (default 20)
  --paced-rate N      GET /:id per second in the log-in interference case (default: 25 % of the
                      measured gateway GET /:id throughput, 100..1000; 300 if not measured)
  --logins-per-sec N  log-ins per second beside GET /:id (default 10)
  --event-burst N     events published at once in the event throughput case, with one customer
                      instance, then with two (default 3000)
  --accounts N        accounts in the login-scale case (default 20000): log-in with the seeded
                      accounts, then with this many (written to the customer database directly)
  --history N         orders of one shopper in the history case (default 150): its order list and
                      profile with 1 order, then with this many
  --soak              instead of the cases: steady GET /:id plus orders, RSS every 10 s
  --soak-minutes M    (default 5)   --soak-rate N  GET /:id per second (default 300)
  --soak-orders N     orders per second during the soak (default 5)
  --log-level L       the shop's LOG_LEVEL (default info)
  --bcrypt-cost N     the shop's BCRYPT_COST (default 10, the production default)
  --db-breakdown      the services count the commands they send (DB_COMMAND_METRICS; their driver
                      then decodes every reply twice, so throughput figures of such a run are lower)
                      and the lag case breaks its commands per order down by service, collection
                      and command
  --cpu-prof          CPU-profile the shop's processes from the end of seeding to exit, and each
                      case's bare hop (a preload through NODE_OPTIONS, as Node 20 refuses --cpu-prof
                      there); .cpuprofile files and their summaries go to bench/results/prof-<timestamp>/
  --no-build          do not run npm run build first
  --products N / --customers N   (default 1000 / 200)
  --out DIR           results folder (default bench/results)

A running shop instead of starting one (env vars in brackets):
  --url URL [BENCH_URL]                      the gateway
  --customer-url, --products-url, --shopping-url URL [BENCH_CUSTOMER_URL, ...]  for the direct cases
  --admin-email, --admin-password [BENCH_ADMIN_EMAIL, BENCH_ADMIN_PASSWORD]     to create products
  --pids customer=PID,products=PID,...       [BENCH_PIDS] for RSS
  --amqp-url URL --queue-prefix P            [BENCH_AMQP_URL, BENCH_QUEUE_PREFIX] to wait for event backlogs
Only loopback URLs are accepted.`;

interface Options {
  durationS: number;
  warmupS: number;
  connections: number;
  repeat: number;
  cases: Set<string>;
  lagRates: number[];
  lagSeconds: number;
  lagPollMs: number;
  pacedRate?: number;
  loginsPerSec: number;
  eventBurst: number;
  accounts: number;
  history: number;
  soak: boolean;
  soakMinutes: number;
  soakRate: number;
  soakOrders: number;
  logLevel: string;
  bcryptCost: number;
  cpuProf: boolean;
  dbBreakdown: boolean;
  build: boolean;
  products: number;
  customers: number;
  out: string;
  url?: string;
  direct: Partial<Record<ServiceName, string>>;
  admin: { email: string; password: string };
  pids: Map<string, number>;
  amqpUrl?: string;
  queuePrefix?: string;
}

function parseArgs(argv: string[]): Options {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const FLAGS = new Set(['soak', 'cpu-prof', 'db-breakdown', 'no-build', 'help']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg} (see --help)`);
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (FLAGS.has(name)) flags.add(name);
    else if (inline !== undefined) values.set(name, inline);
    else if (i + 1 < argv.length) values.set(name, argv[++i]!);
    else throw new Error(`--${name} needs a value`);
  }
  if (flags.has('help')) {
    console.log(USAGE);
    process.exit(0);
  }
  const num = (name: string, fallback: number): number => {
    const raw = values.get(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number`);
    return value;
  };
  const env = process.env;
  const cases = new Set(
    (values.get('cases') ?? ALL_CASES.join(','))
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean),
  );
  for (const id of cases) if (!(ALL_CASES as readonly string[]).includes(id)) throw new Error(`unknown case ${id}; cases: ${ALL_CASES.join(', ')}`);
  const pids = new Map<string, number>();
  for (const pair of (values.get('pids') ?? env.BENCH_PIDS ?? '').split(',').filter(Boolean)) {
    const [name, pid] = pair.split('=');
    if (name && pid) pids.set(name, Number(pid));
  }
  const direct: Partial<Record<ServiceName, string>> = {};
  for (const service of ['customer', 'products', 'shopping'] as const) {
    const url = values.get(`${service}-url`) ?? env[`BENCH_${service.toUpperCase()}_URL`];
    if (url) direct[service] = url.replace(/\/$/, '');
  }
  const known = new Set([
    'duration',
    'warmup',
    'connections',
    'repeat',
    'cases',
    'lag-rates',
    'lag-seconds',
    'lag-poll-ms',
    'paced-rate',
    'logins-per-sec',
    'event-burst',
    'accounts',
    'history',
    'soak-minutes',
    'soak-rate',
    'soak-orders',
    'log-level',
    'bcrypt-cost',
    'products',
    'customers',
    'out',
    'url',
    'customer-url',
    'products-url',
    'shopping-url',
    'admin-email',
    'admin-password',
    'pids',
    'amqp-url',
    'queue-prefix',
  ]);
  for (const name of values.keys()) if (!known.has(name)) throw new Error(`unknown option --${name} (see --help)`);
  return {
    durationS: num('duration', 8),
    warmupS: num('warmup', 1),
    connections: num('connections', 20),
    repeat: Math.max(1, num('repeat', 1)),
    cases,
    lagRates: (values.get('lag-rates') ?? '5,50')
      .split(',')
      .map(Number)
      .filter((rate) => rate > 0),
    lagSeconds: num('lag-seconds', 15),
    lagPollMs: num('lag-poll-ms', 20),
    pacedRate: values.has('paced-rate') ? num('paced-rate', 300) : undefined,
    loginsPerSec: num('logins-per-sec', 10),
    eventBurst: Math.max(1, num('event-burst', 3000)),
    accounts: Math.max(1, num('accounts', 20_000)),
    history: Math.max(2, num('history', 150)),
    soak: flags.has('soak'),
    soakMinutes: num('soak-minutes', 5),
    soakRate: num('soak-rate', 300),
    soakOrders: num('soak-orders', 5),
    logLevel: values.get('log-level') ?? 'info',
    bcryptCost: num('bcrypt-cost', 10),
    cpuProf: flags.has('cpu-prof'),
    dbBreakdown: flags.has('db-breakdown'),
    build: !flags.has('no-build'),
    products: num('products', 1000),
    customers: num('customers', 200),
    out: path.resolve(values.get('out') ?? path.join(REPO_ROOT, 'bench', 'results')),
    url: (values.get('url') ?? env.BENCH_URL)?.replace(/\/$/, ''),
    direct,
    admin: {
      email: values.get('admin-email') ?? env.BENCH_ADMIN_EMAIL ?? env.ADMIN_EMAIL ?? '',
      password: values.get('admin-password') ?? env.BENCH_ADMIN_PASSWORD ?? env.ADMIN_PASSWORD ?? '',
    },
    pids,
    amqpUrl: values.get('amqp-url') ?? env.BENCH_AMQP_URL,
    queuePrefix: values.get('queue-prefix') ?? env.BENCH_QUEUE_PREFIX,
  };
}

const log = (line: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

// ---------------------------------------------------------------------------------------------
// Results

type Via = 'gateway' | 'direct' | 'bare' | 'bare-hop';

interface RunSet {
  via: Via;
  url: string;
  runs: LoadResult[];
  /** Medians over the runs, of the reported kind. */
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  mbPerSec: number;
}

interface CaseResult {
  id: string;
  label: string;
  service: ServiceName | 'bare';
  note?: string;
  connections: number;
  sets: RunSet[];
  /** Gateway req/s over direct req/s. */
  ratio?: number;
  /** Gateway p50 minus direct p50, ms. */
  p50AddedMs?: number;
  /** Gateway req/s as a share of the bare node:http ceiling. */
  ofBare?: number;
  /** CPU ms per request of the proxy process (gateway, bare hop) in this case's runs. */
  cpuMsPerRequest?: Partial<Record<Via, number>>;
  /** Gateway CPU per request over the bare hop's. */
  cpuOverBareHop?: number;
  /** Seconds the event backlog of this case took to drain afterwards. */
  drainS?: number;
}

interface PacedCompare {
  rate: number;
  loginsPerSec: number;
  quiet: PacedResult[];
  withLogins: PacedResult[];
  direct: PacedResult[];
  logins: LatencySummary;
  loginErrors: number;
  p99Quiet: number;
  p99WithLogins: number;
  p99Factor: number;
  p50Gateway: number;
  p50Direct: number;
}

interface LoggingCompare {
  info: LoadResult[];
  http: LoadResult[];
  rpsInfo: number;
  rpsHttp: number;
  cost: number;
}

interface TargetCheck {
  target: string;
  measured: string;
  met: boolean | null;
}

interface Soak {
  minutes: number;
  rate: number;
  paced: PacedResult;
  orders: OrderFlowResult;
  samples: RssSample[];
  growthPct: Record<string, number>;
  growthAfterFirstMinutePct: Record<string, number>;
}

/** The customer service's event throughput with one instance, then two, sharing its queue. */
interface EventThroughput {
  one: EventBurst[];
  two: EventBurst[];
  perSecondOne: number;
  perSecondTwo: number;
  /** Two instances' events per second over one's. */
  gain: number;
}

/**
 * An order-rate run, with what FerretDB received meanwhile (the view's reads included), when known;
 * with --db-breakdown, what each service sent by collection and command, and what one read of the
 * view by the probe costs.
 */
type LagResult = OrderFlowResult & { dbCommands?: DbCommands; breakdown?: CommandRow[]; probeRead?: { commands: number; rows: CommandRow[] } };

interface BenchResult {
  startedAt: string;
  finishedAt?: string;
  machine: Record<string, unknown>;
  options: Record<string, unknown>;
  shop: { startedHere: boolean; gateway: string; direct: Partial<Record<ServiceName, string>>; commit?: string; dirtyFiles?: number };
  seed?: Omit<SeedResult, 'products' | 'customers' | 'adminToken'> & { products: number; customers: number };
  cases: CaseResult[];
  lags: LagResult[];
  paced?: PacedCompare;
  logging?: LoggingCompare;
  events?: EventThroughput;
  scales: ScaleCompare[];
  soak?: Soak;
  rss?: { peaks: ReturnType<RssSampler['peaks']>; cpuByPhase: Record<string, Record<string, number>>; samples: RssSample[] };
  targets: TargetCheck[];
  profiles?: ProfileSummary[];
  notes: string[];
}

function runSet(via: Via, url: string, runs: LoadResult[], kind?: string): RunSet {
  const pick = (run: LoadResult) => (kind ? run.byKind[kind] : undefined) ?? { rps: run.rps, latency: run.latency, non2xx: run.non2xx };
  return {
    via,
    url,
    runs,
    rps: round(median(runs.map((run) => pick(run).rps)), 0),
    p50: round(median(runs.map((run) => pick(run).latency.p50))),
    p99: round(median(runs.map((run) => pick(run).latency.p99))),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    non2xx: runs.reduce((sum, run) => sum + pick(run).non2xx, 0),
    mbPerSec: round(median(runs.map((run) => run.bytesPerSec / 1e6)), 1),
  };
}

// ---------------------------------------------------------------------------------------------
// Machine state: these machines are shared and noisy, so every result says how busy it was.

function cpuTimes(): { idle: number; total: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { idle, total: fields.reduce((sum, value) => sum + value, 0) };
}

async function machineBusy(seconds = 2): Promise<{ busyPct: number; loadavg: number[]; top: string[] }> {
  const before = cpuTimes();
  await sleep(seconds * 1000);
  const after = cpuTimes();
  const busyPct = round(100 * (1 - (after.idle - before.idle) / Math.max(1, after.total - before.total)), 0);
  let top: string[] = [];
  try {
    top = execFileSync('ps', ['-eo', 'pid,pcpu,etimes,args', '--sort=-pcpu'], { encoding: 'utf8' })
      .split('\n')
      .slice(1, 7)
      .map((line) => line.trim().slice(0, 140))
      .filter(Boolean);
  } catch {
    // no ps
  }
  return { busyPct, loadavg: os.loadavg().map((value) => round(value)), top };
}

// ---------------------------------------------------------------------------------------------
// The run

interface Context {
  options: Options;
  target: Target;
  quiescence: Quiescence;
  sampler: RssSampler;
  data: { products: SeedResult['products']; customers: Customer[]; password: string };
  result: BenchResult;
  stopSignal: { stop: boolean };
  /** Where the CPU profiles go, with `--cpu-prof`. */
  profDir?: string;
}

/** Node 20 refuses --cpu-prof in NODE_OPTIONS: a preload does the same through the inspector. */
function profilerEnv(profDir: string): Record<string, string> {
  return { NODE_OPTIONS: `--require ${path.join(REPO_ROOT, 'bench', 'cpu-profile.js')}`, BENCH_CPU_PROF_DIR: profDir };
}

async function drain(context: Pick<Context, 'quiescence' | 'result'>, after: string): Promise<number> {
  const waited = await context.quiescence.waitIdle();
  if (!waited.idle) {
    context.result.notes.push(`the event backlog after ${after} had not drained after ${round(waited.ms / 1000, 0)} s: ${JSON.stringify(waited.left)}`);
  }
  return round(waited.ms / 1000, 1);
}

function checkAlive(context: Context): void {
  if (context.target.crashed) throw new Error(`the shop is down: ${context.target.crashed}`);
  if (context.stopSignal.stop) throw new Error('interrupted');
}

async function measure(context: Context, url: string, requests: () => LabelledRequest[], connections: number, label: string): Promise<LoadResult> {
  const { options } = context;
  if (options.warmupS > 0) await runAutocannon({ url, requests: requests(), connections, durationS: options.warmupS });
  checkAlive(context);
  const result = await runAutocannon({ url, requests: requests(), connections, durationS: options.durationS });
  log(`  ${label}: ${result.rps} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, errors ${result.errors}, non-2xx ${result.non2xx}`);
  return result;
}

async function runCeiling(context: Context): Promise<CaseResult> {
  context.sampler.phase = 'ceiling';
  log('case ceiling: bare node:http, fixed small JSON body');
  const bare = await startBareServer();
  try {
    const runs: LoadResult[] = [];
    for (let r = 0; r < context.options.repeat; r++) {
      runs.push(await measure(context, bare.url, () => [{ method: 'GET', path: '/' }], context.options.connections, 'bare'));
    }
    return { id: 'ceiling', label: 'bare node:http (ceiling)', service: 'bare', connections: context.options.connections, sets: [runSet('bare', bare.url, runs)] };
  } finally {
    await bare.stop();
  }
}

/** The proxy process whose CPU each way of reaching the service is charged with. */
const PROXY_PROCESS: Partial<Record<Via, string>> = { gateway: 'gateway', 'bare-hop': 'bare-hop' };

/** A bare express + express-http-proxy hop in front of the case's service, when the case asks for one. */
async function startCaseBareHop(context: Context, spec: RequestCase): Promise<ExtraInstance | undefined> {
  const direct = context.target.direct[spec.service];
  if (!spec.bareHop || !direct) return undefined;
  const hop = await startBareHop(direct, context.profDir ? profilerEnv(context.profDir) : {});
  context.sampler.track('bare-hop', hop.pid);
  if (context.profDir) {
    // Profiled like the gateway, so the two profiles of a case compare function by function.
    process.kill(hop.pid, 'SIGUSR2');
    profileNames.set(String(hop.pid), `bare-hop-${spec.id}`);
  }
  return hop;
}

/** CPU ms per request of each proxy process, from the CPU samples of the case's phases. */
function cpuPerRequest(context: Context, spec: RequestCase, sets: RunSet[]): Partial<Record<Via, number>> {
  const byPhase = context.sampler.cpuByPhase();
  const perRequest: Partial<Record<Via, number>> = {};
  for (const set of sets) {
    const name = PROXY_PROCESS[set.via];
    const pct = name ? byPhase[`${spec.id} ${set.via}`]?.[name] : undefined;
    if (pct !== undefined && set.rps > 0) perRequest[set.via] = round((pct / 100 / set.rps) * 1000, 4);
  }
  return perRequest;
}

async function runRequestCase(context: Context, spec: RequestCase, ceiling?: CaseResult): Promise<CaseResult> {
  const { options, target } = context;
  context.sampler.phase = spec.id;
  const connections = spec.connections ?? options.connections;
  log(`case ${spec.id}: ${spec.label} (${connections} connections)`);
  const bases: Array<[Via, string]> = [['gateway', target.gateway]];
  const direct = target.direct[spec.service];
  if (direct) bases.push(['direct', direct]);
  const hop = await startCaseBareHop(context, spec);
  if (hop) bases.push(['bare-hop', hop.url]);
  const runs = new Map<Via, LoadResult[]>(bases.map(([via]) => [via, []]));
  try {
    for (let r = 0; r < options.repeat; r++) {
      for (const [via, url] of bases) {
        if (spec.makesEvents && (r > 0 || via !== 'gateway')) {
          context.sampler.phase = `${spec.id} (drain)`;
          await drain(context, `${spec.id} (${via})`);
        }
        context.sampler.phase = `${spec.id} ${via}`;
        runs.get(via)!.push(await measure(context, url, () => spec.requests(context.data), connections, via));
      }
    }
    context.sampler.phase = spec.id;
    context.sampler.sample();
  } finally {
    if (hop) {
      await hop.stop();
      context.sampler.untrack('bare-hop');
    }
  }
  const sets = bases.map(([via, url]) => runSet(via, url, runs.get(via)!, spec.reportKind));
  const result: CaseResult = { id: spec.id, label: spec.label, service: spec.service, note: spec.note, connections, sets };
  const gateway = sets.find((set) => set.via === 'gateway');
  const directSet = sets.find((set) => set.via === 'direct');
  if (gateway && directSet) {
    result.ratio = round(gateway.rps / directSet.rps, 3);
    result.p50AddedMs = round(gateway.p50 - directSet.p50);
  }
  const bare = ceiling?.sets[0];
  if (gateway && bare) result.ofBare = round(gateway.rps / bare.rps, 4);
  result.cpuMsPerRequest = cpuPerRequest(context, spec, sets);
  const { gateway: gatewayCpu, 'bare-hop': hopCpu } = result.cpuMsPerRequest;
  if (gatewayCpu !== undefined && hopCpu) {
    result.cpuOverBareHop = round(gatewayCpu / hopCpu, 3);
    log(`  CPU per request: gateway ${gatewayCpu} ms, bare hop ${hopCpu} ms (x${result.cpuOverBareHop})`);
  }
  if (spec.makesEvents) {
    context.sampler.phase = `${spec.id} (drain)`;
    result.drainS = await drain(context, spec.id);
    log(`  event backlog drained in ${result.drainS} s`);
  }
  return result;
}

async function runLag(context: Context, rate: number): Promise<LagResult> {
  const { options, target, data } = context;
  context.sampler.phase = `lag ${rate}/s`;
  const viewBase = target.direct.customer ?? target.gateway;
  const commandsBefore = await ferretDbCommands(target);
  const sentBefore = await serviceCommands(target.direct);
  log(
    `case lag: ${rate} orders/s for ${options.lagSeconds} s, each polled every ${options.lagPollMs} ms at ${viewBase === target.gateway ? 'the gateway' : 'the customer service'}`,
  );
  const result = await runOrderFlows({
    gateway: target.gateway,
    viewBase,
    customers: data.customers,
    products: data.products,
    rate,
    durationS: options.lagSeconds,
    pollMs: options.lagPollMs,
    signal: context.stopSignal,
  });
  log(
    `  placed ${result.placed}/${result.attempted}, visible ${result.visible}, lag p50 ${result.lag.p50} ms, p99 ${result.lag.p99} ms, max ${result.lag.max} ms (${result.pollsPerSec} polls/s)`,
  );
  context.sampler.phase = `lag ${rate}/s (drain)`;
  const drained = await drain(context, `lag ${rate}/s`);
  log(`  event backlog drained in ${drained} s`);
  const commandsAfter = await ferretDbCommands(target);
  const sentAfter = await serviceCommands(target.direct);
  if (!commandsBefore || !commandsAfter || result.placed === 0) return result;
  const dbCommands = commandsPerOrder(commandsBefore, commandsAfter, result.placed);
  log(`  FerretDB received ${dbCommands.perOrder} commands per placed order (${formatCommands(dbCommands)})`);
  if (!sentBefore || !sentAfter) return { ...result, dbCommands };
  const breakdown = commandBreakdown(sentBefore, sentAfter, result.placed);
  return { ...result, dbCommands, breakdown, probeRead: await probeReadCost(context) };
}

/** What one read of the customer view (the lag probe's GET /customer/shoping-details) costs in commands. */
async function probeReadCost(context: Context): Promise<{ commands: number; rows: CommandRow[] } | undefined> {
  const customerUrl = context.target.direct.customer;
  const customer = context.data.customers[0];
  if (!customerUrl || !customer) return undefined;
  const reads = 20;
  const before = await serviceCommands(context.target.direct);
  for (let i = 0; i < reads; i++) await request('GET', `${customerUrl}/customer/shoping-details`, { token: customer.token });
  const after = await serviceCommands(context.target.direct);
  if (!before || !after) return undefined;
  const rows = commandBreakdown(before, after, reads);
  return {
    commands: round(
      rows.reduce((sum, row) => sum + row.perOrder, 0),
      2,
    ),
    rows,
  };
}

async function loginLoop(context: Context, perSec: number, signal: { stop: boolean }): Promise<{ latency: LatencySummary; errors: number }> {
  const samples = new Samples();
  let errors = 0;
  let n = 0;
  const pending = new Set<Promise<void>>();
  const started = performance.now();
  while (!signal.stop) {
    const wait = started + (n * 1000) / perSec - performance.now();
    if (wait > 0) await sleep(Math.min(wait, 50));
    if (signal.stop) break;
    if (performance.now() < started + (n * 1000) / perSec) continue;
    const customer = context.data.customers[n++ % context.data.customers.length]!;
    const one = request('POST', `${context.target.gateway}/customer/login`, { body: { email: customer.email, password: CUSTOMER_PASSWORD } })
      .then((response) => {
        if (response.status === 200) samples.record(response.ms);
        else errors++;
      })
      .catch(() => {
        errors++;
      })
      .finally(() => pending.delete(one));
    pending.add(one);
  }
  await Promise.all(pending);
  return { latency: samples.summary(), errors };
}

async function runPacedCompare(context: Context, productCase?: CaseResult): Promise<PacedCompare> {
  const { options, target, data } = context;
  const measured = productCase?.sets.find((set) => set.via === 'gateway')?.rps;
  const rate = options.pacedRate ?? (measured ? Math.min(1000, Math.max(100, Math.round((measured * 0.25) / 10) * 10)) : 300);
  const durationS = Math.max(5, options.durationS);
  log(`case bcrypt: GET /:id at a steady ${rate}/s through the gateway, alone and beside ${options.loginsPerSec} log-ins/s`);
  let n = 0;
  const nextPath = (): string => `/${data.products[n++ % data.products.length]!._id}`;
  const quiet: PacedResult[] = [];
  const withLogins: PacedResult[] = [];
  const directRuns: PacedResult[] = [];
  let loginErrors = 0;
  const loginRuns: LatencySummary[] = [];
  for (let r = 0; r < options.repeat; r++) {
    context.sampler.phase = 'bcrypt (quiet)';
    await runPaced({ rate, durationS: 1, nextUrl: () => `${target.gateway}${nextPath()}` });
    quiet.push(await runPaced({ rate, durationS, nextUrl: () => `${target.gateway}${nextPath()}`, signal: context.stopSignal }));
    log(`  alone: p50 ${quiet.at(-1)!.latency.p50} ms, p99 ${quiet.at(-1)!.latency.p99} ms`);
    if (target.direct.products) {
      directRuns.push(await runPaced({ rate, durationS, nextUrl: () => `${target.direct.products}${nextPath()}`, signal: context.stopSignal }));
      log(`  direct at the same rate: p50 ${directRuns.at(-1)!.latency.p50} ms, p99 ${directRuns.at(-1)!.latency.p99} ms`);
    }
    checkAlive(context);
    context.sampler.phase = 'bcrypt (with log-ins)';
    const signal = { stop: false };
    const loginsDone = loginLoop(context, options.loginsPerSec, signal);
    await sleep(1000);
    withLogins.push(await runPaced({ rate, durationS, nextUrl: () => `${target.gateway}${nextPath()}`, signal: context.stopSignal }));
    signal.stop = true;
    const loginResult = await loginsDone;
    loginRuns.push(loginResult.latency);
    loginErrors += loginResult.errors;
    log(`  beside log-ins: p50 ${withLogins.at(-1)!.latency.p50} ms, p99 ${withLogins.at(-1)!.latency.p99} ms (log-in p50 ${loginResult.latency.p50} ms)`);
  }
  const p99Quiet = round(median(quiet.map((run) => run.latency.p99)));
  const p99WithLogins = round(median(withLogins.map((run) => run.latency.p99)));
  return {
    rate,
    loginsPerSec: options.loginsPerSec,
    quiet,
    withLogins,
    direct: directRuns,
    logins: loginRuns[Math.floor(loginRuns.length / 2)]!,
    loginErrors,
    p99Quiet,
    p99WithLogins,
    p99Factor: round(p99WithLogins / p99Quiet),
    p50Gateway: round(median(quiet.map((run) => run.latency.p50))),
    p50Direct: round(median(directRuns.map((run) => run.latency.p50))),
  };
}

async function runLoggingCompare(context: Context): Promise<LoggingCompare | undefined> {
  const { options, target, data } = context;
  if (!target.startedHere || !target.direct.products) {
    context.result.notes.push('logging: skipped (needs a shop started by the benchmark)');
    return undefined;
  }
  context.sampler.phase = 'logging';
  log('case logging: GET /:id directly at products with LOG_LEVEL=info (one line per request off) and at a second instance with LOG_LEVEL=http (on)');
  let extra: ExtraInstance | undefined;
  try {
    extra = await startExtraInstance(target, 'products', { LOG_LEVEL: 'http' });
    if (options.cpuProf) {
      process.kill(extra.pid, 'SIGUSR2');
      profileNames.set(String(extra.pid), 'products-log-level-http');
    }
    const requests = (): LabelledRequest[] => {
      let n = 0;
      return [{ method: 'GET', setupRequest: (req) => ((req.path = `/${data.products[n++ % data.products.length]!._id}`), req) }];
    };
    const info: LoadResult[] = [];
    const http: LoadResult[] = [];
    for (let r = 0; r < options.repeat; r++) {
      info.push(await measure(context, target.direct.products, requests, options.connections, 'LOG_LEVEL=info'));
      http.push(await measure(context, extra.url, requests, options.connections, 'LOG_LEVEL=http'));
    }
    const rpsInfo = round(median(info.map((run) => run.rps)), 0);
    const rpsHttp = round(median(http.map((run) => run.rps)), 0);
    return { info, http, rpsInfo, rpsHttp, cost: round(1 - rpsHttp / rpsInfo, 3) };
  } finally {
    await extra?.stop();
  }
}

async function runEventThroughput(context: Context): Promise<EventThroughput | undefined> {
  const { options, target } = context;
  const customerUrl = target.direct.customer;
  const exchange = target.env?.AMQP_EXCHANGE;
  if (!target.startedHere || !customerUrl || !target.amqpUrl || !exchange) {
    context.result.notes.push('events: skipped (needs a shop started by the benchmark)');
    return undefined;
  }
  context.sampler.phase = 'events';
  log(`case events: ${options.eventBurst} cart.updated at once, applied by one customer instance, then by two sharing its queue`);
  const burst = (customerUrls: string[]): Promise<EventBurst> => timeCartEventBurst({ amqpUrl: target.amqpUrl!, exchange, customerUrls, count: options.eventBurst });
  const one: EventBurst[] = [];
  const two: EventBurst[] = [];
  for (let r = 0; r < options.repeat; r++) {
    one.push(await burst([customerUrl]));
    log(`  one instance: ${one.at(-1)!.perSecond} events/s`);
    checkAlive(context);
    const extra = await startExtraInstance(target, 'customer', {});
    try {
      // A starting instance asks for the catalogue: its announcement is not what is measured.
      await drain(context, 'the second customer instance started');
      two.push(await burst([customerUrl, extra.url]));
      log(`  two instances: ${two.at(-1)!.perSecond} events/s`);
    } finally {
      await extra.stop();
    }
  }
  const perSecondOne = round(median(one.map((b) => b.perSecond)), 0);
  const perSecondTwo = round(median(two.map((b) => b.perSecond)), 0);
  return { one, two, perSecondOne, perSecondTwo, gain: round(perSecondTwo / perSecondOne, 2) };
}

const scaleMeasure =
  (context: Context, phase: string) =>
  (url: string, requests: () => LabelledRequest[], connections: number, label: string): Promise<LoadResult> => {
    context.sampler.phase = phase;
    return measure(context, url, requests, connections, label);
  };

async function runLoginScale(context: Context): Promise<ScaleCompare> {
  const { options, target, data } = context;
  log(`case login-scale: POST /customer/login with the ${data.customers.length} seeded accounts, then with ${options.accounts}`);
  return compareLogins(
    target,
    data.customers.map((c) => c.email),
    options.accounts,
    scaleMeasure(context, 'login-scale'),
  );
}

async function runHistory(context: Context): Promise<ScaleCompare> {
  const { options, target, data } = context;
  log(`case history: one shopper's orders and profile with 1 order, then with ${options.history}`);
  return compareHistory(target, data.products, options.history, scaleMeasure(context, 'history'), () => drain(context, 'the history orders'));
}

async function runSoak(context: Context): Promise<Soak> {
  const { options, target, data, sampler } = context;
  const durationS = options.soakMinutes * 60;
  log(`soak: ${options.soakMinutes} min of GET /:id at ${options.soakRate}/s through the gateway plus ${options.soakOrders} orders/s; RSS every 10 s`);
  sampler.stop();
  sampler.phase = 'soak';
  const firstIndex = sampler.samples.length;
  const printSample = (sample: RssSample): void =>
    log(
      `  t=${round(sample.t, 0)}s RSS ${Object.entries(sample.mb)
        .map(([name, mb]) => `${name} ${mb} MB`)
        .join(', ')}`,
    );
  const timer = setInterval(() => printSample(sampler.sample()), 10_000);
  let n = 0;
  try {
    const [paced, orders] = await Promise.all([
      runPaced({ rate: options.soakRate, durationS, nextUrl: () => `${target.gateway}/${data.products[n++ % data.products.length]!._id}`, signal: context.stopSignal }),
      runOrderFlows({
        gateway: target.gateway,
        viewBase: target.direct.customer ?? target.gateway,
        customers: data.customers,
        products: data.products,
        rate: options.soakOrders,
        durationS,
        pollMs: 50,
        signal: context.stopSignal,
      }),
    ]);
    printSample(sampler.sample());
    const soakSamples = sampler.samples.slice(firstIndex);
    const growth = (from: RssSample | undefined): Record<string, number> => {
      const last = soakSamples.at(-1);
      if (!from || !last) return {};
      return Object.fromEntries(Object.entries(last.mb).map(([name, mb]) => [name, round((100 * (mb - (from.mb[name] ?? mb))) / (from.mb[name] ?? mb), 1)]));
    };
    const oneMinute = soakSamples.find((sample) => sample.t - soakSamples[0]!.t >= 60);
    return {
      minutes: options.soakMinutes,
      rate: options.soakRate,
      paced,
      orders,
      samples: soakSamples,
      growthPct: growth(soakSamples[0]),
      growthAfterFirstMinutePct: growth(oneMinute),
    };
  } finally {
    clearInterval(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Targets and the report

function checkTargets(result: BenchResult): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const product = result.cases.find((c) => c.id === 'product');
  const root = result.cases.find((c) => c.id === 'root');
  if (product?.ratio !== undefined) {
    checks.push({ target: 'gateway keeps >= 50 % of direct req/s on GET /:id', measured: `${round(product.ratio * 100, 1)} %`, met: product.ratio >= 0.5 });
    if (result.paced && result.paced.direct.length > 0) {
      const added = round(result.paced.p50Gateway - result.paced.p50Direct);
      checks.push({
        target: 'gateway adds <= 2 ms p50 on GET /:id',
        measured: `+${added} ms at a steady ${result.paced.rate}/s (${result.paced.p50Gateway} vs ${result.paced.p50Direct} ms); +${product.p50AddedMs} ms at saturation`,
        met: added <= 2,
      });
    } else {
      checks.push({ target: 'gateway adds <= 2 ms p50 on GET /:id', measured: `+${product.p50AddedMs} ms at saturation`, met: (product.p50AddedMs ?? Infinity) <= 2 });
    }
  }
  for (const c of [root, product]) {
    if (c?.ofBare !== undefined) {
      checks.push({ target: `${c.label} through the gateway >= 6 % of bare node:http`, measured: `${round(c.ofBare * 100, 2)} %`, met: c.ofBare >= 0.06 });
    }
  }
  const lag = result.lags.find((l) => l.rate === 50) ?? result.lags.at(-1);
  if (lag) {
    const others = result.lags.filter((l) => l !== lag).map((l) => `; at ${l.rate}/s: p50 ${l.lag.p50} ms, p99 ${l.lag.p99} ms`);
    checks.push({
      target: 'event lag p99 < 100 ms at 50 orders/s',
      measured:
        `at ${lag.rate}/s: p50 ${lag.lag.p50} ms, p99 ${lag.lag.p99} ms, ${lag.placed} of ${lag.attempted} orders placed, ${lag.visible} seen in the view` +
        (lag.failed ? `, ${lag.failed} failed` : '') +
        others.join(''),
      met: lag.lag.p99 < 100 && lag.notVisible === 0 && lag.failed === 0 && lag.placed > 0,
    });
  }
  if (result.paced) {
    checks.push({
      target: `GET /:id p99 at most doubles beside ${result.paced.loginsPerSec} log-ins/s`,
      measured: `${result.paced.p99Quiet} -> ${result.paced.p99WithLogins} ms (x${result.paced.p99Factor}) at ${result.paced.rate}/s`,
      met: result.paced.p99Factor <= 2,
    });
  }
  if (result.rss) {
    const peaks = result.rss.peaks.overall;
    const services = Object.entries(peaks);
    if (services.length > 0) {
      checks.push({
        target: 'each process RSS <= 150 MB during the benchmark',
        measured: services.map(([name, mb]) => `${name} ${mb}`).join(', ') + ' MB',
        met: services.every(([, mb]) => mb <= 150),
      });
    }
  }
  if (result.soak) {
    const growth = Object.entries(result.soak.growthPct);
    checks.push({
      target: `RSS grows <= 10 % over a ${result.soak.minutes}-minute soak`,
      measured: growth.map(([name, pct]) => `${name} ${pct >= 0 ? '+' : ''}${pct} %`).join(', '),
      met: growth.every(([, pct]) => pct <= 10),
    });
  }
  checks.push(...scaleTargets(result.scales));
  if (result.logging) {
    checks.push({
      target: 'per-request logging costs <= 15 % of throughput',
      measured: `${result.logging.rpsInfo} -> ${result.logging.rpsHttp} req/s (${round(result.logging.cost * 100, 1)} %)`,
      met: result.logging.cost <= 0.15,
    });
  }
  return checks;
}

/** The commands each service sent per placed order, and how many of them were the probe's view reads. */
function breakdownSection(l: LagResult): string[] {
  const lines = ['Commands the services sent per placed order, by collection and command (their db_commands_total):', '', ...formatBreakdown(l.breakdown ?? []), ''];
  if (l.probeRead) {
    const pollsPerOrder = round(l.polls / Math.max(1, l.placed), 2);
    const probe = round(pollsPerOrder * l.probeRead.commands, 1);
    const total = l.breakdown!.reduce((sum, row) => sum + row.perOrder, 0);
    lines.push(
      `The probe read each order's view ${pollsPerOrder} times on average; one read costs ${l.probeRead.commands} commands (${l.probeRead.rows.map((row) => `${row.collection} ${row.command} ${row.perOrder}`).join(', ')}), so ${probe} of the commands per order are the probe's and ${round(total - probe, 1)} the order's own.`,
      '',
    );
  }
  return lines;
}

const SCALE_TITLES: Record<ScaleCompare['id'], string> = {
  'login-scale': 'Log-in as the accounts grow',
  history: "One shopper's orders and profile as the orders grow",
};

function scaleSection(scale: ScaleCompare): string[] {
  const lines = [
    `### ${SCALE_TITLES[scale.id]}`,
    '',
    `Through the gateway, ${scale.connections} connection (each request's own time). Smaller: ${scale.small}. Larger: ${scale.large}.`,
    '',
    '| request | data | req/s | p50 ms | p99 ms | non-2xx | x p50 | x p99 |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of scale.rows) {
    lines.push(
      `| ${r.request} | smaller | ${r.small.rps} | ${r.small.latency.p50} | ${r.small.latency.p99} | ${r.small.non2xx + r.small.errors} | | |`,
      `| | larger | ${r.large.rps} | ${r.large.latency.p50} | ${r.large.latency.p99} | ${r.large.non2xx + r.large.errors} | ${r.p50Factor} | ${r.p99Factor} |`,
    );
  }
  lines.push('');
  return lines;
}

/** The issue's limits on how much slower a request may get with the larger data set (p50). */
const SCALE_LIMITS: Record<ScaleCompare['id'], number> = { 'login-scale': 1.5, history: 3 };

function scaleTargets(scales: ScaleCompare[]): TargetCheck[] {
  return scales.flatMap((scale) =>
    scale.rows.map((r) => ({
      target: `${r.request}: ${scale.large.split(' (')[0]} at most x${SCALE_LIMITS[scale.id]} of ${scale.small.split(' (')[0]}`,
      measured: `p50 ${r.small.latency.p50} -> ${r.large.latency.p50} ms (x${r.p50Factor}), p99 x${r.p99Factor}`,
      met: r.p50Factor <= SCALE_LIMITS[scale.id] && r.large.non2xx + r.large.errors === 0,
    })),
  );
}

function markdown(result: BenchResult): string {
  const o = result.options;
  const lines: string[] = [];
  lines.push(`## Benchmark ${result.startedAt}`, '');
  lines.push(
    `${o.durationS} s per run after ${o.warmupS} s warm-up, ${o.connections} connections (log-in ${REQUEST_CASES.find((c) => c.id === 'login')?.connections}), ` +
      `${o.repeat} run(s) per case and target${Number(o.repeat) > 1 ? ' (medians)' : ''}; autocannon in the benchmark process on the same machine. ` +
      `LOG_LEVEL=${o.logLevel}, BCRYPT_COST=${o.bcryptCost}, NODE_ENV=production.`,
    '',
  );
  if (result.cases.length > 0) {
    lines.push(
      '| case | via | req/s | p50 ms | p99 ms | errors | non-2xx | MB/s | gateway/direct | of bare | proxy CPU ms/req |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const c of result.cases) {
      for (const set of c.sets) {
        const first = set === c.sets[0];
        lines.push(
          `| ${first ? c.label : ''} | ${set.via} | ${set.rps} | ${set.p50} | ${set.p99} | ${set.errors} | ${set.non2xx} | ${set.mbPerSec} | ${first && c.ratio !== undefined ? `${round(c.ratio * 100, 1)} %` : ''} | ${first && c.ofBare !== undefined ? `${round(c.ofBare * 100, 2)} %` : ''} | ${c.cpuMsPerRequest?.[set.via] ?? ''} |`,
        );
      }
    }
    lines.push('');
    const notes = result.cases.filter((c) => c.note || c.drainS !== undefined);
    for (const c of notes) lines.push(`- ${c.label}: ${c.note ?? ''}${c.drainS !== undefined ? `; its event backlog drained ${c.drainS} s after the runs` : ''}`);
    lines.push('');
  }
  for (const l of result.lags) {
    lines.push(
      `### Event lag at ${l.rate} orders/s (order placed -> visible in GET /customer/shoping-details)`,
      '',
      `${l.rate} orders/s for ${l.durationS} s (PUT /cart + POST /shopping/order through the gateway, customers in turn); each placed order's view read every ${l.pollMs} ms, or every tenth of the time waited once that is longer (${l.pollsPerSec} reads/s in all).`,
      '',
      '| measure | n | p50 ms | p90 ms | p99 ms | max ms |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      `| lag from the order's 201 | ${l.lag.count} | ${l.lag.p50} | ${l.lag.p90} | ${l.lag.p99} | ${l.lag.max} |`,
      `| lag from sending the order | ${l.lagFromRequest.count} | ${l.lagFromRequest.p50} | ${l.lagFromRequest.p90} | ${l.lagFromRequest.p99} | ${l.lagFromRequest.max} |`,
      `| PUT /cart | ${l.putCart.count} | ${l.putCart.p50} | ${l.putCart.p90} | ${l.putCart.p99} | ${l.putCart.max} |`,
      `| POST /shopping/order | ${l.placeOrder.count} | ${l.placeOrder.p50} | ${l.placeOrder.p90} | ${l.placeOrder.p99} | ${l.placeOrder.max} |`,
      '',
      `placed ${l.placed} of ${l.attempted}, failed ${l.failed}${l.failed ? ` (${JSON.stringify(l.failures)})` : ''}, never visible within 30 s ${l.notVisible}.`,
      '',
    );
    if (l.dbCommands) {
      lines.push(
        `FerretDB received ${l.dbCommands.perOrder} commands per placed order, from the first order until the event backlog had drained (every service, the view reads included): ${formatCommands(l.dbCommands)}.`,
        '',
      );
    }
    if (l.breakdown) lines.push(...breakdownSection(l));
  }
  if (result.paced) {
    const p = result.paced;
    const row = (name: string, runs: PacedResult[]): string => {
      const mid = runs[Math.floor(runs.length / 2)];
      return mid ? `| ${name} | ${mid.responses} | ${mid.latency.p50} | ${mid.latency.p90} | ${mid.latency.p99} | ${mid.latency.max} | ${mid.errors + mid.non2xx} |` : '';
    };
    lines.push(
      `### GET /:id at a steady ${p.rate}/s, alone and beside ${p.loginsPerSec} log-ins/s`,
      '',
      '| run | n | p50 ms | p90 ms | p99 ms | max ms | errors |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      row('gateway, alone', p.quiet),
      row('gateway, beside log-ins', p.withLogins),
      ...(p.direct.length ? [row('direct, alone', p.direct)] : []),
      '',
      `p99 x${p.p99Factor} beside the log-ins; the log-ins themselves: p50 ${p.logins.p50} ms, p99 ${p.logins.p99} ms (${p.logins.count} done, ${p.loginErrors} failed).`,
      '',
    );
  }
  if (result.logging) {
    const g = result.logging;
    lines.push(
      '### Per-request logging',
      '',
      `GET /:id directly at products: LOG_LEVEL=info ${g.rpsInfo} req/s, LOG_LEVEL=http (one JSON line per request) ${g.rpsHttp} req/s: ${round(g.cost * 100, 1)} % less.`,
      '',
    );
  }
  if (result.events) {
    const e = result.events;
    lines.push(
      '### Event throughput: one customer instance, then two sharing its queue',
      '',
      `${e.one[0]?.events ?? 0} cart.updated at once (each its own customer view: one guarded write of its cart): one instance ${e.perSecondOne} events/s, two ${e.perSecondTwo} events/s (x${e.gain}).`,
      '',
    );
  }
  for (const scale of result.scales) lines.push(...scaleSection(scale));
  if (result.soak) {
    const s = result.soak;
    const names = Object.keys(s.samples[0]?.mb ?? {});
    lines.push(
      `### Soak: ${s.minutes} min, GET /:id at ${s.rate}/s + ${s.orders.rate} orders/s`,
      '',
      `| t s | ${names.join(' | ')} |`,
      `| ---: | ${names.map(() => '---:').join(' | ')} |`,
    );
    for (const sample of s.samples) lines.push(`| ${round(sample.t, 0)} | ${names.map((name) => sample.mb[name] ?? '').join(' | ')} |`);
    lines.push(
      '',
      `RSS growth over the soak: ${Object.entries(s.growthPct)
        .map(([name, pct]) => `${name} ${pct} %`)
        .join(', ')}; after its first minute: ${Object.entries(s.growthAfterFirstMinutePct)
        .map(([name, pct]) => `${name} ${pct} %`)
        .join(', ')}.`,
      `GET /:id during the soak: p50 ${s.paced.latency.p50} ms, p99 ${s.paced.latency.p99} ms, ${s.paced.errors + s.paced.non2xx} errors; event lag p50 ${s.orders.lag.p50} ms, p99 ${s.orders.lag.p99} ms.`,
      '',
    );
  }
  if (result.rss && Object.keys(result.rss.peaks.overall).length > 0) {
    const names = Object.keys(result.rss.peaks.overall);
    lines.push('### RSS (peak MB per phase, sampled every second)', '', `| phase | ${names.join(' | ')} |`, `| --- | ${names.map(() => '---:').join(' | ')} |`);
    for (const [phase, peaks] of Object.entries(result.rss.peaks.byPhase)) lines.push(`| ${phase} | ${names.map((name) => peaks[name] ?? '').join(' | ')} |`);
    lines.push(`| **peak** | ${names.map((name) => `**${result.rss!.peaks.overall[name]}**`).join(' | ')} |`, '');
  }
  if (result.rss && Object.keys(result.rss.cpuByPhase).length > 0) {
    const names = [...new Set(Object.values(result.rss.cpuByPhase).flatMap((byName) => Object.keys(byName)))];
    lines.push(
      '### CPU per process and phase (% of one core; this machine has ' + String(result.machine.cpus) + ')',
      '',
      `| phase | ${names.join(' | ')} |`,
      `| --- | ${names.map(() => '---:').join(' | ')} |`,
    );
    for (const [phase, byName] of Object.entries(result.rss.cpuByPhase)) lines.push(`| ${phase} | ${names.map((name) => byName[name] ?? '').join(' | ')} |`);
    lines.push('', '`bench` is this process: autocannon and the probes.', '');
  }
  if (result.targets.length > 0) {
    lines.push('### Targets', '', '| target | measured | met |', '| --- | --- | --- |');
    for (const check of result.targets) lines.push(`| ${check.target} | ${check.measured} | ${check.met === null ? '-' : check.met ? 'yes' : '**no**'} |`);
    lines.push('');
  }
  const m = result.machine as { cpus?: number; cpuModel?: string; node?: string; before?: { busyPct: number; loadavg: number[] }; after?: { busyPct: number; loadavg: number[] } };
  lines.push(
    `Machine: ${m.cpus} × ${m.cpuModel}, Node ${m.node}; CPU busy before the run ${m.before?.busyPct} % (load ${m.before?.loadavg.join(' ')}), after ${m.after?.busyPct ?? '?'} % (load ${m.after?.loadavg.join(' ') ?? '?'}).`,
  );
  for (const note of result.notes) lines.push(`- ${note}`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  fs.mkdirSync(options.out, { recursive: true });
  const profDir = options.cpuProf ? path.join(options.out, `prof-${stamp}`) : undefined;
  if (profDir) fs.mkdirSync(profDir, { recursive: true });

  const stopSignal = { stop: false };
  let target: Target | undefined;
  let quiescence: Quiescence | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanUp = (): Promise<void> =>
    (cleaning ??= (async () => {
      await quiescence?.close();
      if (target) log(target.startedHere ? 'stopping the shop, FerretDB and RabbitMQ' : 'leaving the given shop running');
      await target?.stop();
      // A start-up cut short leaves no target to stop: stop what it had begun.
      await cleanUpInterruptedStart();
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stopSignal.stop = true;
      log(`${signal}: stopping`);
      void cleanUp().then(() => process.exit(130));
    });
  }

  log('measuring how busy the machine is before the run');
  const before = await machineBusy();
  const result: BenchResult = {
    startedAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version, memoryGb: round(os.totalmem() / 2 ** 30, 1), before },
    options: { ...options, pids: Object.fromEntries(options.pids), cases: [...options.cases], admin: undefined },
    shop: { startedHere: !options.url, gateway: options.url ?? '', direct: options.direct },
    cases: [],
    lags: [],
    scales: [],
    targets: [],
    notes: [],
  };
  if (before.busyPct > 15) result.notes.push(`the machine was ${before.busyPct} % busy before the run (others at work): figures are lower than on a quiet machine`);
  try {
    result.shop.commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    result.shop.dirtyFiles = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO_ROOT, encoding: 'utf8' }).split('\n').filter(Boolean).length;
  } catch {
    // not a git checkout
  }

  try {
    if (options.url) {
      if (!options.admin.email || !options.admin.password) throw new Error('--url needs --admin-email and --admin-password (or BENCH_ADMIN_EMAIL / BENCH_ADMIN_PASSWORD)');
      target = givenShop({ gateway: options.url, direct: options.direct, admin: options.admin, pids: options.pids, amqpUrl: options.amqpUrl, queuePrefix: options.queuePrefix });
    } else {
      target = await startOwnShop({
        logLevel: options.logLevel,
        bcryptCost: options.bcryptCost,
        build: options.build,
        extraEnv: {
          ...(profDir ? profilerEnv(profDir) : {}),
          ...(options.dbBreakdown ? { DB_COMMAND_METRICS: 'true' } : {}),
        },
        log,
      });
      result.shop.gateway = target.gateway;
      result.shop.direct = target.direct;
    }
    log(`gateway ${target.gateway}; direct ${JSON.stringify(target.direct)}`);
    quiescence = new Quiescence(target);
    // FerretDB and RabbitMQ: CPU only (their RSS is no target), found by the data folder they were given.
    const infrastructure = new Map<string, number>();
    if (target.dataDir) {
      const read = (pid: number): string => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const ferret = findProcesses(target.dataDir).find((pid) => read(pid).includes('ferretdb'));
      const beam = findProcesses(target.dataDir).find((pid) => read(pid).includes('beam'));
      if (ferret) infrastructure.set('ferretdb', ferret);
      if (beam) infrastructure.set('rabbitmq', beam);
    }
    const sampler = new RssSampler(target.pids, infrastructure);
    sampler.start(1000);

    sampler.phase = 'seed';
    const seeded = await seed(target, { products: options.products, customers: options.customers }, log);
    const { products, customers, adminToken: _adminToken, ...seedFacts } = seeded;
    result.seed = { ...seedFacts, products: products.length, customers: customers.length };
    log(
      `seeded: ${seeded.createdProducts} products in ${round(seeded.productsSeconds, 1)} s, ${seeded.createdCustomers} customers in ${round(seeded.customersSeconds, 1)} s, replicas caught up ${round(seeded.replicasSeconds, 1)} s later`,
    );
    sampler.phase = 'seed (drain)';
    await drain({ quiescence, result }, 'seeding');

    if (profDir) {
      for (const pid of target.pids.values()) process.kill(pid, 'SIGUSR2');
      log("CPU profiling started in the shop's processes");
    }
    const context: Context = { options, target, quiescence, sampler, data: { products, customers, password: CUSTOMER_PASSWORD }, result, stopSignal, profDir };
    if (options.soak) {
      result.soak = await runSoak(context);
    } else {
      const wanted = (id: string): boolean => options.cases.has(id);
      let ceiling: CaseResult | undefined;
      if (wanted('ceiling')) result.cases.push((ceiling = await runCeiling(context)));
      for (const spec of REQUEST_CASES) {
        if (!wanted(spec.id)) continue;
        checkAlive(context);
        result.cases.push(await runRequestCase(context, spec, ceiling));
      }
      if (wanted('lag')) {
        for (const rate of options.lagRates) {
          checkAlive(context);
          result.lags.push(await runLag(context, rate));
        }
      }
      if (wanted('bcrypt')) {
        checkAlive(context);
        result.paced = await runPacedCompare(
          context,
          result.cases.find((c) => c.id === 'product'),
        );
      }
      if (wanted('logging')) {
        checkAlive(context);
        result.logging = await runLoggingCompare(context);
      }
      if (wanted('events')) {
        checkAlive(context);
        result.events = await runEventThroughput(context);
      }
      if (wanted('login-scale')) {
        checkAlive(context);
        result.scales.push(await runLoginScale(context));
      }
      if (wanted('history')) {
        checkAlive(context);
        result.scales.push(await runHistory(context));
      }
    }
    sampler.stop();
    result.rss = sampler.available ? { peaks: sampler.peaks(), cpuByPhase: sampler.cpuByPhase(), samples: sampler.samples } : undefined;
    if (!sampler.available) result.notes.push('RSS: not measured (no process ids; give --pids for a shop started elsewhere)');
  } catch (error) {
    result.notes.push(`the run stopped early: ${error instanceof Error ? error.message : String(error)}`);
    log(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  } finally {
    await cleanUp();
  }

  if (profDir && target) {
    const names = new Map([...[...target.pids].map(([name, pid]): [string, string] => [String(pid), name]), ...profileNames]);
    result.profiles = [];
    for (const file of fs.readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'))) {
      const pid = file.split('.')[1] ?? '';
      const name = names.get(pid);
      const renamed = path.join(profDir, name ? `${name}.cpuprofile` : file);
      fs.renameSync(path.join(profDir, file), renamed);
      const summary = summariseProfile(renamed);
      result.profiles.push(summary);
      fs.writeFileSync(`${renamed}.md`, formatProfile(summary));
    }
    log(`CPU profiles and summaries in ${profDir}`);
  }

  log('measuring how busy the machine is after the run');
  result.machine.after = await machineBusy();
  result.finishedAt = new Date().toISOString();
  result.targets = checkTargets(result);
  const file = path.join(options.out, `${stamp}${options.soak ? '-soak' : ''}.json`);
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(markdown(result));
  log(`results: ${path.relative(process.cwd(), file)}`);
}

main().catch((error: unknown) => {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
