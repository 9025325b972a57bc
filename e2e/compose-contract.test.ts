/**
 * The contract between docker-compose.yml, the Dockerfile, .env.example and what the code reads.
 * No Docker engine is needed: the files are parsed and compose's own rules (env_file order,
 * `environment` winning, ${VAR:-default} interpolation) are applied here, so that a renamed
 * variable, a moved port or a dropped health check fails a test instead of a deployment.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import dotenv from 'dotenv';
import { parse } from 'yaml';
import { serviceUserDefinitions } from '../scripts/infra/rabbitmq';
import { testedNodeVersion } from '../scripts/node-version';
import { variablesRead } from '../scripts/test/config-variables';
import type { ZodType } from 'zod';
import { customerConfigSchema } from '../customer/src/config';
import { gatewayConfigSchema } from '../gateway/src/config';
import { IMAGES_DIR } from '../gateway/src/images';
import { productsConfigSchema } from '../products/src/config';
import { shoppingConfigSchema } from '../shopping/src/config';

const ROOT = path.resolve(__dirname, '..');
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8');

// ---------------------------------------------------------------------------------------------
// The single table of what each Node container must get. Everything below is derived from it.
// ---------------------------------------------------------------------------------------------

type Expected = string | RegExp;

interface NodeServiceContract {
  /** Set explicitly under `environment` (values after interpolation). */
  environment: Record<string, Expected>;
  /** What the process validates its environment with: it reads those variables and no others. */
  configSchema: ZodType;
  /** The variable holding the port it listens on. */
  portVariable: string;
  dependsOn: string[];
}

/**
 * What compose must demand of whoever runs it: no default, never from a file in the repository.
 * The public key is no secret, but the one in .env.dev pairs with a published private key.
 */
const SECRETS = [
  'JWT_PRIVATE_KEY',
  'JWT_PUBLIC_KEY',
  'ADMIN_PASSWORD',
  'RABBITMQ_DEFAULT_PASS',
  'CUSTOMER_AMQP_PASSWORD',
  'PRODUCTS_AMQP_PASSWORD',
  'SHOPPING_AMQP_PASSWORD',
] as const;

/** What a deployer gives compose: .env.example filled in, with random values for what it demands. */
const deployer: Record<string, string> = {
  ...dotenv.parse(read('.env.example')),
  ...Object.fromEntries(SECRETS.map((name) => [name, randomBytes(32).toString('hex')])),
};
const envDev = dotenv.parse(read('.env.dev'));

const backend = (name: string, port: number, configSchema: ZodType, extra: Record<string, Expected> = {}): NodeServiceContract => ({
  environment: {
    NODE_ENV: 'production',
    // Its own MongoDB server: each service owns its database and never reads another's.
    MONGO_URL: `mongodb://${name}-db:27017`,
    AMQP_URL: /^amqp:\/\/[^:@/]+:[^@/]+@rabbitmq:5672\/?$/,
    [`${name.toUpperCase()}_PORT`]: String(port),
    JWT_PUBLIC_KEY: deployer.JWT_PUBLIC_KEY!,
    JWT_ISSUER: /.+/,
    JWT_AUDIENCE: /.+/,
    // Reached over the container network, and believing only the gateway's X-Forwarded-For.
    BIND_ADDRESS: '0.0.0.0',
    TRUSTED_PROXIES: /^[0-9.]+$/,
    ...extra,
  },
  configSchema,
  portVariable: `${name.toUpperCase()}_PORT`,
  dependsOn: [`${name}-db`, 'rabbitmq'],
});

const NODE_SERVICES: Record<string, NodeServiceContract> = {
  customer: backend('customer', 8001, customerConfigSchema, {
    JWT_PRIVATE_KEY: deployer.JWT_PRIVATE_KEY!,
    ADMIN_EMAIL: deployer.ADMIN_EMAIL!,
    ADMIN_PASSWORD: deployer.ADMIN_PASSWORD!,
  }),
  products: backend('products', 8002, productsConfigSchema, { SEED_CATALOGUE: 'true' }),
  shopping: backend('shopping', 8003, shoppingConfigSchema),
  gateway: {
    environment: {
      GATEWAY_PORT: '8000',
      CUSTOMER_URL: /^http:\/\/customer:\d+$/,
      PRODUCTS_URL: /^http:\/\/products:\d+$/,
      SHOPPING_URL: /^http:\/\/shopping:\d+$/,
      CORS_ORIGINS: deployer.CORS_ORIGINS!,
    },
    configSchema: gatewayConfigSchema,
    portVariable: 'GATEWAY_PORT',
    dependsOn: ['customer', 'products', 'shopping'],
  },
};

const BACKENDS = ['customer', 'products', 'shopping'] as const;

/** Read by node, not by the shop's code. */
const READ_BY_NODE_ITSELF = ['NODE_OPTIONS'];

/** container port -> the only services allowed to publish it. */
const PUBLISHED: Record<string, string> = { gateway: '8000', rabbitmq: '15672' };

// ---------------------------------------------------------------------------------------------
// Compose, read the way compose reads it.
// ---------------------------------------------------------------------------------------------

interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string; args?: Record<string, string> | string[] };
  environment?: Record<string, string | number | boolean | null> | string[];
  env_file?: string | string[];
  ports?: Array<string | number | { target: number; published?: number | string; host_ip?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  depends_on?: string[] | Record<string, { condition?: string }>;
  volumes?: Array<string | { type?: string; source?: string; target?: string }>;
  network_mode?: string;
  networks?: string[] | Record<string, { ipv4_address?: string } | null>;
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  networks?: Record<string, { ipam?: { config?: Array<{ subnet?: string; ip_range?: string }> } } | null>;
}

const composeSource = read('docker-compose.yml');
// Merge keys (<<: *anchor) are YAML 1.1; compose honours them, so the parser must too.
const compose = parse(composeSource, { merge: true }) as ComposeFile;

/** Every string in the file (keys included), where compose interpolates; comments are not. */
function strings(node: unknown): string[] {
  if (typeof node === 'string') return [node];
  if (Array.isArray(node)) return node.flatMap(strings);
  if (node && typeof node === 'object') return Object.entries(node).flatMap(([key, value]) => [key, ...strings(value)]);
  return [];
}

/** Every ${VAR...} (and $VAR) the file interpolates, with its default when it has one. */
interface Reference {
  name: string;
  defaultValue?: string;
}
const references = new Map<string, Reference>();
for (const text of strings(parse(composeSource))) {
  for (const match of text.replace(/\$\$/g, '').matchAll(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*)|(:?\?)[^}]*)?\}|([A-Za-z_][A-Za-z0-9_]*))/g)) {
    const name = match[1] ?? match[5];
    const reference: Reference = match[2] ? { name: name!, defaultValue: match[3] ?? '' } : { name: name! };
    references.set(JSON.stringify(reference), reference);
  }
}

/** Compose's interpolation, by default with the deployer's values, as `--env-file .env.production` does. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)|\$\$/g,
    (whole, braced?: string, colon?: string, op?: string, arg?: string, bare?: string) => {
      if (whole === '$$') return '$';
      const name = (braced ?? bare) as string;
      const set = colon ? Boolean(vars[name]) : vars[name] !== undefined;
      if (set) return vars[name] as string;
      if (op === '-') return arg ?? '';
      if (op === '?') throw new Error(`${name} is required: ${arg ?? ''}`);
      return '';
    },
  );
}

function service(name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

function explicitEnvironment(svc: ComposeService): Record<string, string> {
  const entries = Array.isArray(svc.environment)
    ? svc.environment.map((line) => {
        const at = line.indexOf('=');
        return at < 0 ? [line, ''] : [line.slice(0, at), line.slice(at + 1)];
      })
    : Object.entries(svc.environment ?? {}).map(([key, value]) => [key, value === null ? '' : String(value)]);
  return Object.fromEntries(entries.map(([key, value]) => [key, interpolate(value as string, deployer)]));
}

function envFiles(svc: ComposeService): string[] {
  return svc.env_file === undefined ? [] : Array.isArray(svc.env_file) ? svc.env_file : [svc.env_file];
}

/** What the process inside sees: env files in order (later wins), then `environment` over them. */
function effectiveEnvironment(svc: ComposeService): Record<string, string> {
  const fromFiles = Object.assign({}, ...envFiles(svc).map((file) => dotenv.parse(read(file)))) as Record<string, string>;
  return { ...fromFiles, ...explicitEnvironment(svc) };
}

function buildOf(svc: ComposeService): { dockerfile: string; args: Record<string, string> } | undefined {
  if (svc.build === undefined) return undefined;
  const build = typeof svc.build === 'string' ? { context: svc.build } : svc.build;
  const args = Array.isArray(build.args) ? Object.fromEntries(build.args.map((arg) => [arg.split('=')[0], arg.split('=').slice(1).join('=')])) : (build.args ?? {});
  return { dockerfile: path.join(build.context ?? '.', build.dockerfile ?? 'Dockerfile'), args };
}

function ipv4Number(address: string): number {
  return address.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
}

/** Whether an IPv4 address lies in a CIDR range. */
function inRange(address: string, cidr: string): boolean {
  const [base = '', bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipv4Number(address) / size) === Math.floor(ipv4Number(base) / size);
}

/** Published container ports of a service ("8000:8000", "127.0.0.1:15672:15672", long syntax). */
function publishedPorts(svc: ComposeService): string[] {
  return (svc.ports ?? []).map((port) => {
    if (typeof port === 'object') return String(port.target);
    const parts = String(port).split('/')[0]!.split(':');
    return parts[parts.length - 1]!;
  });
}

// ---------------------------------------------------------------------------------------------
// The Dockerfile's final stage: what the running image is.
// ---------------------------------------------------------------------------------------------

const dockerfileSource = read('Dockerfile');
/** Instructions with continuation lines joined and comments dropped. */
const instructions = dockerfileSource
  .split('\n')
  .filter((line) => !/^\s*#/.test(line))
  .join('\n')
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter(Boolean);
const lastFrom = instructions.map((line) => /^FROM\s/i.test(line)).lastIndexOf(true);
const finalStage = instructions.slice(lastFrom);

function healthcheckCommand(): string[] {
  const line = finalStage.find((instruction) => /^HEALTHCHECK\s/i.test(instruction));
  if (!line) throw new Error('the final stage of the Dockerfile has no HEALTHCHECK');
  const json = /\sCMD\s+(\[.*\])\s*$/.exec(line)?.[1];
  // Docker silently falls back to a shell command when the JSON does not parse: insist on JSON.
  if (!json) throw new Error('HEALTHCHECK must use the exec (JSON array) form');
  return JSON.parse(json) as string[];
}

/** The `@shop/common/<entry>` subpaths a program loads: its own files followed from `file` by their (non-type) imports. */
function commonEntryPointsLoadedFrom(file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const imports = [...read(file).matchAll(/^import (?!type )[^;]*?from '([^']+)';/gms)].map((match) => match[1]!);
  return imports.flatMap((target) => {
    if (target.startsWith('@shop/common/')) return [target.slice('@shop/common/'.length)];
    if (!target.startsWith('.')) return [];
    const resolved = path.join(path.dirname(file), target);
    const next = [`${resolved}.ts`, path.join(resolved, 'index.ts')].find((candidate) => fs.existsSync(path.join(ROOT, candidate)));
    return next ? commonEntryPointsLoadedFrom(next, seen) : [];
  });
}

// ---------------------------------------------------------------------------------------------
// package-lock.json: what a production install of one workspace brings in.
// ---------------------------------------------------------------------------------------------

interface PackageManifest {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}
interface LockedPackage extends PackageManifest {
  link?: boolean;
  resolved?: string;
  dev?: boolean;
}
const locked = (JSON.parse(read('package-lock.json')) as { packages: Record<string, LockedPackage> }).packages;

/** Where node finds `name` from the package at `location`: its own node_modules, then each parent's. */
function resolveLocked(location: string, name: string): string | undefined {
  for (let at = location; ; at = at.includes('/node_modules/') ? at.slice(0, at.lastIndexOf('/node_modules/')) : '') {
    const candidate = at ? `${at}/node_modules/${name}` : `node_modules/${name}`;
    if (locked[candidate]) return locked[candidate]!.link ? locked[candidate]!.resolved : candidate;
    if (!at) return undefined;
  }
}

/**
 * The names of the packages a production install of a workspace needs: dependencies, optional
 * dependencies and required peers, followed through the lock file (optional peers only where
 * another package installs them; dropPeersOf leaves a workspace's peers out, as the gateway's install does).
 */
function productionClosure(workspace: string, { dropPeersOf }: { dropPeersOf?: string } = {}): Set<string> {
  const names = new Set<string>();
  const seen = new Set<string>();
  const visit = (location: string): void => {
    if (seen.has(location)) return;
    seen.add(location);
    const manifest = locked[location]!;
    const peers = location === dropPeersOf ? {} : (manifest.peerDependencies ?? {});
    const wanted = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.optionalDependencies ?? {}), ...Object.keys(peers)];
    for (const name of wanted) {
      const target = resolveLocked(location, name);
      if (!target) continue; // an optional dependency or peer that nothing installs
      names.add(name);
      visit(target);
    }
  };
  visit(workspace);
  return names;
}

// ---------------------------------------------------------------------------------------------

describe('docker-compose.yml: the Node containers', () => {
  test.each(Object.keys(NODE_SERVICES))('%s is built from the Dockerfile with SERVICE set to its name', (name) => {
    const build = buildOf(service(name));
    expect(build).toBeDefined();
    expect(path.normalize(build!.dockerfile)).toBe('Dockerfile');
    expect(build!.args.SERVICE).toBe(name);
  });

  test.each(Object.keys(NODE_SERVICES))('%s gets every variable its code reads, with the expected values', (name) => {
    const contract = NODE_SERVICES[name]!;
    const svc = service(name);
    const explicit = explicitEnvironment(svc);
    for (const [variable, expected] of Object.entries(contract.environment)) {
      // Explicit, so that nothing in .env.dev (development values) can change the wiring.
      expect({ variable, value: explicit[variable] }).toEqual({
        variable,
        value: expect.stringMatching(expected instanceof RegExp ? expected : `^${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
      });
    }
  });

  test.each(Object.keys(NODE_SERVICES))('%s gets only variables its code reads, and no env file', (name) => {
    const svc = service(name);
    expect(envFiles(svc)).toEqual([]);
    const read = new Set([...variablesRead(NODE_SERVICES[name]!.configSchema), ...READ_BY_NODE_ITSELF]);
    expect(Object.keys(effectiveEnvironment(svc)).filter((variable) => !read.has(variable))).toEqual([]);
  });

  test.each(Object.keys(NODE_SERVICES))("%s: a setting that .env shares has .env's value", (name) => {
    const shared = dotenv.parse(read('.env'));
    const environment = effectiveEnvironment(service(name));
    const differing = Object.keys(environment).filter((variable) => shared[variable] !== undefined && shared[variable] !== environment[variable]);
    expect(differing.map((variable) => `${variable}=${environment[variable]} (.env: ${shared[variable]})`)).toEqual([]);
  });

  test.each(Object.keys(compose.services))('%s never gets .env.dev (its secrets are public) and no development secret', (name) => {
    const svc = service(name);
    expect(envFiles(svc).map((file) => path.normalize(file))).not.toContain('.env.dev');
    const values = Object.values(effectiveEnvironment(svc)).join('\n');
    for (const secret of SECRETS) expect({ secret, leaked: Boolean(envDev[secret]) && values.includes(envDev[secret]!) }).toEqual({ secret, leaked: false });
  });

  test.each(SECRETS)('compose refuses to start without %s', (secret) => {
    const { [secret]: _missing, ...rest } = deployer;
    expect(() => strings(compose).forEach((text) => interpolate(text, rest))).toThrow(`${secret} is required`);
    expect(() => strings(compose).forEach((text) => interpolate(text, deployer))).not.toThrow();
  });

  test.each(Object.keys(NODE_SERVICES))('only customer gets the private key that signs tokens (here: %s)', (name) => {
    const effective = effectiveEnvironment(service(name));
    expect({ name, privateKey: Boolean(effective.JWT_PRIVATE_KEY || effective.JWT_PRIVATE_KEY_FILE) }).toEqual({ name, privateKey: name === 'customer' });
  });

  test.each(BACKENDS)('%s: no env_file value overrides the MONGO_URL set for the container', (name) => {
    // The code prefers <NAME>_MONGO_URL over MONGO_URL: one from an env file would silently win.
    expect(effectiveEnvironment(service(name))[`${name.toUpperCase()}_MONGO_URL`]).toBeUndefined();
  });

  test.each(BACKENDS)("the gateway's URL for %s uses the host and port that service listens on", (name) => {
    const gatewayEnv = explicitEnvironment(service('gateway'));
    const url = new URL(gatewayEnv[`${name.toUpperCase()}_URL`] ?? 'http://missing');
    expect(url.hostname).toBe(name);
    expect(url.port).toBe(explicitEnvironment(service(name))[NODE_SERVICES[name]!.portVariable]);
  });

  test('the gateway publishes the port it listens on', () => {
    const gateway = service('gateway');
    expect(publishedPorts(gateway)).toEqual([explicitEnvironment(gateway).GATEWAY_PORT]);
  });

  test("the services believe X-Forwarded-For only from the gateway's fixed address, which no other container can be given", () => {
    const networks = service('gateway').networks;
    const address = Array.isArray(networks) ? undefined : networks?.default?.ipv4_address;
    expect(address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    for (const name of BACKENDS) expect({ name, trusted: explicitEnvironment(service(name)).TRUSTED_PROXIES }).toEqual({ name, trusted: address });
    const [range] = compose.networks?.default?.ipam?.config ?? [];
    expect(inRange(address!, range?.subnet ?? '0.0.0.0/32')).toBe(true);
    // Addresses handed out to the other containers come from ip_range, which must not hold the gateway's.
    expect(inRange(address!, range?.ip_range ?? '0.0.0.0/0')).toBe(false);
    for (const [name, svc] of Object.entries(compose.services)) {
      if (name !== 'gateway') expect({ name, networks: svc.networks }).toEqual({ name, networks: undefined });
    }
  });

  test("AMQP_URL carries the service's own broker user, with the password RabbitMQ creates it with", () => {
    const rabbit = explicitEnvironment(service('rabbitmq'));
    for (const name of BACKENDS) {
      const url = new URL(explicitEnvironment(service(name)).AMQP_URL ?? 'amqp://missing');
      const passwordVariable = `${name.toUpperCase()}_AMQP_PASSWORD`;
      expect({ name, user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }).toEqual({
        name,
        user: name,
        pass: rabbit[passwordVariable],
      });
      expect(rabbit[passwordVariable]).toBe(deployer[passwordVariable]);
    }
    // The operator's account is not guest (which the start script removes) and no service's.
    expect(rabbit.RABBITMQ_DEFAULT_USER).toBeTruthy();
    expect([...BACKENDS, 'guest']).not.toContain(rabbit.RABBITMQ_DEFAULT_USER);
  });

  test("RabbitMQ gets the service users' rights from the one table of who publishes what", () => {
    const mounted = (service('rabbitmq').volumes ?? []).map(String);
    expect(mounted).toContain('./deploy/rabbitmq:/etc/shop:ro');
    expect(JSON.parse(read('deploy/rabbitmq/service-permissions.json'))).toEqual(serviceUserDefinitions(dotenv.parse(read('.env')).AMQP_EXCHANGE ?? 'shop.events'));
    expect(read('deploy/rabbitmq/with-service-users.sh')).toMatch(/delete_user guest/);
  });
});

describe('docker-compose.yml: infrastructure', () => {
  test.each(BACKENDS)('%s has its own MongoDB 7 server, a pinned release, with its own named volume', (name) => {
    const db = service(`${name}-db`);
    expect(db.image).toMatch(/^mongo:7\.0\.\d+$/);
    const dataVolume = (db.volumes ?? [])
      .map((volume) => (typeof volume === 'string' ? { source: volume.split(':')[0], target: volume.split(':')[1] } : volume))
      .find((volume) => volume.target === '/data/db');
    expect(dataVolume?.source).toBeDefined();
    expect(Object.keys(compose.volumes ?? {})).toContain(dataVolume!.source);
    const others = BACKENDS.filter((other) => other !== name).flatMap((other) => (service(`${other}-db`).volumes ?? []).map(String));
    expect(others.some((volume) => volume.startsWith(`${dataVolume!.source}:`))).toBe(false);
  });

  test('RabbitMQ is the management image of a pinned release', () => {
    expect(service('rabbitmq').image).toMatch(/^rabbitmq:3\.13\.\d+-management$/);
  });

  test('only the gateway and the RabbitMQ management UI are published', () => {
    const published = Object.fromEntries(
      Object.entries(compose.services)
        .filter(([, svc]) => publishedPorts(svc).length > 0)
        .map(([name, svc]) => [name, publishedPorts(svc).join(',')]),
    );
    expect(published).toEqual(PUBLISHED);
    for (const [name, svc] of Object.entries(compose.services)) {
      expect({ name, networkMode: svc.network_mode }).toEqual({ name, networkMode: undefined });
    }
  });

  test('MongoDB and RabbitMQ health checks ping the server', () => {
    for (const name of BACKENDS) expect(String(service(`${name}-db`).healthcheck?.test)).toMatch(/mongosh.*ping/);
    expect(String(service('rabbitmq').healthcheck?.test)).toMatch(/rabbitmq-diagnostics.*ping/);
  });
});

describe('docker-compose.yml: start-up order', () => {
  test.each(Object.keys(compose.services))('%s has a health check', (name) => {
    const svc = service(name);
    if (svc.healthcheck) {
      expect(svc.healthcheck.disable).not.toBe(true);
      expect(svc.healthcheck.test).toBeDefined();
      expect([svc.healthcheck.test].flat()[0]).not.toBe('NONE');
      return;
    }
    // No compose health check: then the image it is built from must bring one.
    const build = buildOf(svc);
    expect(build).toBeDefined();
    expect(path.normalize(build!.dockerfile)).toBe('Dockerfile');
    expect(healthcheckCommand().length).toBeGreaterThan(0);
  });

  test.each(Object.keys(compose.services))('%s waits only for healthy dependencies', (name) => {
    const dependsOn = service(name).depends_on;
    if (dependsOn === undefined) return;
    // The short list form only waits for "started", which is not "ready".
    expect(Array.isArray(dependsOn)).toBe(false);
    for (const [dependency, options] of Object.entries(dependsOn as Record<string, { condition?: string }>)) {
      expect({ dependency, condition: options.condition }).toEqual({ dependency, condition: 'service_healthy' });
    }
  });

  test.each(Object.keys(NODE_SERVICES))('%s waits for exactly what it needs', (name) => {
    const dependsOn = service(name).depends_on ?? {};
    expect(Object.keys(dependsOn).sort()).toEqual([...NODE_SERVICES[name]!.dependsOn].sort());
  });
});

describe('docker-compose.yml: interpolation', () => {
  test('it interpolates something (or this suite would prove nothing)', () => {
    expect(references.size).toBeGreaterThan(0);
  });

  test.each([...references.values()].map((reference) => [reference.name, reference] as const))('${%s} is listed in .env.example', (_name, reference) => {
    const example = dotenv.parse(read('.env.example'));
    expect(example[reference.name]).toBeDefined();
    // A default is what compose uses when the deployer sets nothing: it must be what .env.example says, and no secret has one.
    if (reference.defaultValue !== undefined) expect(reference.defaultValue).toBe(example[reference.name]);
    if (reference.defaultValue !== undefined) expect(SECRETS).not.toContain(reference.name);
  });
});

describe('Dockerfile', () => {
  // Subpath entry points of @shop/common (common/<name>/package.json) exist for module resolution
  // without package exports; an image without the folder fails at its first require.
  test('the running image has every @shop/common entry point that a service loads at run time', () => {
    const loaded = new Set(Object.keys(NODE_SERVICES).flatMap((name) => commonEntryPointsLoadedFrom(path.join(name, 'src', 'index.ts'))));
    expect([...loaded]).toContain('web');
    for (const entry of loaded) expect(finalStage).toContain(`COPY --from=build /app/common/${entry} ./common/${entry}`);
  });

  test("the gateway's image carries the product images it serves", () => {
    const buildStage = instructions.slice(0, lastFrom);
    expect(buildStage).toContain('COPY gateway/ gateway/');
    expect(finalStage).toContain('COPY --from=build /app/${SERVICE}/public ./${SERVICE}/public');
    // The image folder is found next to dist/ (gateway/src/images.ts), and no .dockerignore rule drops it.
    expect(path.relative(path.join(ROOT, 'gateway'), IMAGES_DIR)).toBe(path.join('public', 'images'));
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    expect(ignored.filter((rule) => /public|images|\.jpg/.test(rule))).toEqual([]);
    expect(fs.readdirSync(IMAGES_DIR).filter((file) => file.endsWith('.jpg')).length).toBeGreaterThan(0);
  });

  test('the base image is a pinned release of the Node that CI tests on (.nvmrc)', () => {
    expect(testedNodeVersion()).toMatch(/^24\.\d+\.\d+$/);
    expect(instructions.find((line) => /^ARG NODE_IMAGE=/.test(line))).toBe(`ARG NODE_IMAGE=node:${testedNodeVersion()}-bookworm-slim`);
  });

  test("the gateway's install leaves out mongoose and amqplib (and the MongoDB driver); a backend's keeps them", () => {
    const depsStage = instructions.slice(
      instructions.findIndex((line) => /^FROM\s.*\sAS deps$/i.test(line)),
      lastFrom,
    );
    expect(depsStage).toContain('COPY scripts/docker/install-service-deps.sh scripts/docker/');
    expect(depsStage).toContain('RUN sh scripts/docker/install-service-deps.sh "${SERVICE}"');
    const common = JSON.parse(read('common/package.json')) as PackageManifest;
    expect(Object.keys(common.dependencies ?? {})).not.toEqual(expect.arrayContaining(['mongoose']));
    expect(Object.keys(common.dependencies ?? {})).not.toEqual(expect.arrayContaining(['amqplib']));
    // npm's workspace filter follows optional peers too, so the script drops common's for the gateway.
    expect(read('scripts/docker/install-service-deps.sh')).toMatch(
      /if \[ "\$service" = gateway \]; then\s+npm pkg delete peerDependencies peerDependenciesMeta --workspace=@shop\/common\s+fi/,
    );
    const gateway = productionClosure('gateway', { dropPeersOf: 'common' });
    expect(gateway).toContain('express');
    for (const name of ['mongoose', 'amqplib', 'mongodb']) expect({ name, installed: gateway.has(name) }).toEqual({ name, installed: false });
    for (const backend of BACKENDS) {
      const closure = productionClosure(backend);
      for (const name of ['mongoose', 'amqplib']) expect({ backend, name, installed: closure.has(name) }).toEqual({ backend, name, installed: true });
    }
  });

  test('the running image is not root', () => {
    expect(finalStage).toContain('USER node');
  });

  test('one Dockerfile serves every service: SERVICE is a build arg the image keeps in its environment', () => {
    expect(finalStage).toContain('ARG SERVICE');
    expect(finalStage.some((line) => /^ENV\s.*\bSERVICE=\$\{?SERVICE\}?/.test(line))).toBe(true);
    expect(finalStage.some((line) => /^ENV\s.*\bNODE_ENV=production\b/.test(line))).toBe(true);
  });

  test('the health check asks /health on loopback with node itself', () => {
    const command = healthcheckCommand();
    expect(command[0]).toBe('node');
    expect(command.join(' ')).toMatch(/http:\/\/127\.0\.0\.1:.*\/health/);
  });

  describe('the health check command', () => {
    let server: http.Server;
    let port = 0;
    let status = 200;
    beforeAll(async () => {
      server = http.createServer((req, res) => {
        res.statusCode = req.url === '/health' ? status : 404;
        res.end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    /** Runs it as the image would, with the environment compose gives that container. */
    async function probe(name: string, env: Record<string, string>): Promise<number> {
      const [file, ...args] = healthcheckCommand();
      try {
        await promisify(execFile)(file!, args, { env: { PATH: process.env.PATH ?? '', SERVICE: name, ...env }, timeout: 10_000 });
        return 0;
      } catch (error) {
        return (error as { code?: number }).code ?? -1;
      }
    }

    test.each(Object.keys(NODE_SERVICES))('for %s, probes the port from its port variable', async (name) => {
      const variable = NODE_SERVICES[name]!.portVariable;
      status = 200;
      expect(await probe(name, { [variable]: String(port) })).toBe(0);
      status = 503;
      expect(await probe(name, { [variable]: String(port) })).toBe(1);
    });

    test('fails when nothing listens', async () => {
      const closed = http.createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const unused = (closed.address() as AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));
      expect(await probe('gateway', { GATEWAY_PORT: String(unused) })).toBe(1);
    });
  });
});
