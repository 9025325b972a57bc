/**
 * The Helm chart, as `helm template` renders it with its default values and with the example of a
 * production install: every manifest valid against the Kubernetes schemas (kubernetes-models), and
 * the properties the shop relies on. Helm is built into .tools/ by scripts/ensure-helm.sh when
 * missing (the first run on a machine takes minutes), so that `npm test` works on a fresh clone.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import type { ZodType } from 'zod';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { FILE_VARIABLES } from '../../common/src/kit/config/load-config';
import { customerConfigSchema } from '../../customer/src/config';
import { gatewayConfigSchema } from '../../gateway/src/config';
import { productsConfigSchema } from '../../products/src/config';
import { shoppingConfigSchema } from '../../shopping/src/config';
import { variablesRead } from '../../scripts/test/config-variables';

const ROOT = path.join(__dirname, '..', '..');
const CHART = path.join(ROOT, 'deploy', 'helm', 'microservices-shop');
const PRODUCTION_VALUES = path.join(CHART, 'values-production.example.yaml');

/** Every kind the chart may render, with its schema; a kind missing here fails the test. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/Ingress': Ingress,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};

const PARTS = { customer: customerConfigSchema, products: productsConfigSchema, shopping: shoppingConfigSchema, gateway: gatewayConfigSchema } as const;
type Part = keyof typeof PARTS;
const BACKENDS = ['customer', 'products', 'shopping'] as const;

/** Read by node, not by the shop's code. */
const READ_BY_NODE_ITSELF = ['NODE_OPTIONS'];

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** Values whose secrets are recognisable wherever they land. */
const marker = (name: string): string => `${name}-${randomBytes(12).toString('hex')}`;
const SECRET_VALUES = {
  privateKey: marker('private-key'),
  publicKey: marker('public-key'),
  adminPassword: marker('admin-password'),
  amqpPasswords: Object.fromEntries(BACKENDS.map((name) => [name, marker(`${name}-amqp`)])) as Record<(typeof BACKENDS)[number], string>,
  mongoPassword: marker('mongo-password'),
};
const POD_CIDR = '10.42.0.0/16';

function ensureHelm(): string {
  return execFileSync('bash', [path.join(ROOT, 'scripts', 'ensure-helm.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

function render(helm: string, valueFiles: string[]): Manifest[] {
  const output = execFileSync(helm, ['template', 'shop', CHART, ...valueFiles.flatMap((file) => ['-f', file])], { encoding: 'utf8' });
  return parseAllDocuments(output)
    .map((document) => document.toJSON() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
}

const componentOf = (manifest: Manifest): string | undefined => manifest.metadata.labels?.['app.kubernetes.io/component'];
const ofKind = (manifests: Manifest[], kind: string): Manifest[] => manifests.filter((manifest) => manifest.kind === kind);
const podSpec = (deployment: Manifest): IPodSpec => (deployment as unknown as Deployment).spec!.template.spec!;
const container = (deployment: Manifest): IContainer => podSpec(deployment).containers[0]!;
const deploymentOf = (manifests: Manifest[], part: Part): Manifest => ofKind(manifests, 'Deployment').find((deployment) => componentOf(deployment) === part)!;

/** Kubernetes quantities of memory in bytes (Mi, Gi, M, G or plain). */
function bytes(quantity: string | number): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|k|M|G)?$/.exec(String(quantity));
  if (!match) throw new Error(`not a memory quantity: ${quantity}`);
  const unit = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, k: 1e3, M: 1e6, G: 1e9 }[match[2] ?? ''] ?? 1;
  return Number(match[1]) * unit;
}

/** Every name a pod spec refers to a Secret by: volumes and environment. */
function secretsUsedBy(spec: IPodSpec): string[] {
  const volumes = (spec.volumes ?? []).flatMap((volume) => (volume.secret?.secretName ? [volume.secret.secretName] : []));
  const env = spec.containers.flatMap((c) => (c.env ?? []).flatMap((variable) => (variable.valueFrom?.secretKeyRef ? [variable.valueFrom.secretKeyRef.name!] : [])));
  const envFrom = spec.containers.flatMap((c) => (c.envFrom ?? []).flatMap((source) => (source.secretRef ? [source.secretRef.name!] : [])));
  return [...volumes, ...env, ...envFrom];
}

const decoded = (secret: Manifest): string[] => Object.values((secret.data ?? {}) as Record<string, string>).map((value) => Buffer.from(value, 'base64').toString('utf8'));

let helm: string;
let scratch: string;
const renders: Record<string, Manifest[]> = {};

beforeAll(() => {
  helm = ensureHelm();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'chart-test-'));
  const secretValues = path.join(scratch, 'secrets.yaml');
  fs.writeFileSync(
    secretValues,
    stringify({
      podCIDR: POD_CIDR,
      jwt: { privateKey: SECRET_VALUES.privateKey, publicKey: SECRET_VALUES.publicKey },
      admin: { email: 'admin@shop.example', password: SECRET_VALUES.adminPassword },
      mongodb: { url: `mongodb://shop:${SECRET_VALUES.mongoPassword}@mongodb-0.mongodb-headless:27017/?replicaSet=rs0` },
      rabbitmq: { users: Object.fromEntries(BACKENDS.map((name) => [name, { username: name, password: SECRET_VALUES.amqpPasswords[name] }])) },
    }),
  );
  renders.defaults = render(helm, []);
  renders.production = render(helm, [PRODUCTION_VALUES]);
  renders.secrets = render(helm, [secretValues]);
}, 20 * 60_000);

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe.each(['defaults', 'production'])('the chart rendered with %s values', (name) => {
  const manifests = (): Manifest[] => renders[name]!;

  test('When every manifest is checked against the Kubernetes schema of its kind, then each is valid', () => {
    const invalid = manifests().flatMap((manifest) => {
      const Model = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
      if (!Model) return [`${manifest.kind} ${manifest.metadata.name}: no schema for ${manifest.apiVersion}`];
      try {
        new Model(manifest as never).validate();
        return [];
      } catch (error) {
        return [`${manifest.kind} ${manifest.metadata.name}: ${(error as Error).message}`];
      }
    });
    expect(invalid).toEqual([]);
    expect(ofKind(manifests(), 'Deployment').map(componentOf).sort()).toEqual(['customer', 'gateway', 'products', 'shopping']);
  });

  test.each(Object.keys(PARTS) as Part[])('When %s runs, then its probes ask its own port: /ready and /health for a service, /health and the port for the gateway', (part) => {
    const main = container(deploymentOf(manifests(), part));
    expect(main.ports).toEqual([expect.objectContaining({ name: 'http', containerPort: expect.any(Number) })]);
    const expected =
      part === 'gateway'
        ? { readiness: { httpGet: { path: '/health', port: 'http' } }, liveness: { tcpSocket: { port: 'http' } } }
        : { readiness: { httpGet: { path: '/ready', port: 'http' } }, liveness: { httpGet: { path: '/health', port: 'http' } } };
    expect({ readiness: main.readinessProbe, liveness: main.livenessProbe }).toMatchObject(expected);
  });

  test.each(Object.keys(PARTS) as Part[])('When %s runs, then it has CPU and memory requests and limits, its memory limit above its V8 heap limit', (part) => {
    const main = container(deploymentOf(manifests(), part));
    const { requests, limits } = main.resources ?? {};
    for (const resource of ['cpu', 'memory']) {
      expect({ part, resource, request: requests?.[resource], limit: limits?.[resource] }).toEqual({ part, resource, request: expect.anything(), limit: expect.anything() });
    }
    const nodeOptions = (ofKind(manifests(), 'ConfigMap').find((map) => componentOf(map) === part)!.data as Record<string, string>).NODE_OPTIONS!;
    const oldSpaceMb = Number(/--max-old-space-size=(\d+)/.exec(nodeOptions)?.[1] ?? 0);
    // The old space plus the young generation, code and buffers: ~100 MiB beyond the heap limit.
    expect(bytes(limits!.memory!)).toBeGreaterThanOrEqual((oldSpaceMb + 100) * 2 ** 20);
    expect(bytes(requests!.memory!)).toBeLessThanOrEqual(bytes(limits!.memory!));
  });

  test.each(Object.keys(PARTS) as Part[])('When %s runs, then it runs as a user, on a read-only root filesystem, with no way to more privileges', (part) => {
    const deployment = deploymentOf(manifests(), part);
    expect(podSpec(deployment).securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: expect.any(Number) });
    expect(podSpec(deployment).securityContext!.runAsUser).not.toBe(0);
    expect(container(deployment).securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(podSpec(deployment).automountServiceAccountToken).toBe(false);
  });

  test('When the parts scale, then each Deployment has its own CPU autoscaler (autoscaling/v2) and a ClusterIP Service', () => {
    const deployments = ofKind(manifests(), 'Deployment')
      .map((deployment) => deployment.metadata.name)
      .sort();
    const autoscaled = ofKind(manifests(), 'HorizontalPodAutoscaler').map((hpa) => {
      const spec = (hpa as unknown as HorizontalPodAutoscaler).spec!;
      expect(spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: expect.any(Number) } } }]);
      expect(spec.scaleTargetRef.kind).toBe('Deployment');
      return spec.scaleTargetRef.name;
    });
    expect(autoscaled.sort()).toEqual(deployments);
    const services = ofKind(manifests(), 'Service').map((service) => service as unknown as Service);
    expect(services.map((service) => service.spec!.type)).toEqual(services.map(() => 'ClusterIP'));
    expect(services.map((service) => service.metadata!.name).sort()).toEqual(deployments);
  });

  test('When the shop is reached from outside, then only through one Ingress, to the gateway', () => {
    const ingresses = ofKind(manifests(), 'Ingress').map((ingress) => ingress as unknown as Ingress);
    expect(ingresses).toHaveLength(1);
    const backends = ingresses[0]!.spec!.rules!.flatMap((rule) => rule.http!.paths.map((entry) => entry.backend.service!.name));
    expect(backends).toEqual([deploymentOf(manifests(), 'gateway').metadata.name]);
  });

  test('When a pod other than the gateway calls a service, then a NetworkPolicy keeps it out: only gateway pods (and peers named in values) reach its port', () => {
    const gatewayLabels = (deploymentOf(manifests(), 'gateway') as unknown as Deployment).spec!.selector.matchLabels;
    for (const part of BACKENDS) {
      const podLabels = (deploymentOf(manifests(), part) as unknown as Deployment).spec!.selector.matchLabels;
      const policy = ofKind(manifests(), 'NetworkPolicy')
        .map((p) => p as unknown as NetworkPolicy)
        .find((p) => JSON.stringify(p.spec!.podSelector.matchLabels) === JSON.stringify(podLabels));
      expect({ part, types: policy?.spec?.policyTypes }).toEqual({ part, types: ['Ingress'] });
      const rules = policy!.spec!.ingress!;
      expect(rules).toHaveLength(1);
      expect(rules[0]!.from![0]).toEqual({ podSelector: { matchLabels: gatewayLabels } });
      expect(rules[0]!.ports).toEqual([{ port: 'http', protocol: 'TCP' }]);
    }
  });

  test.each(Object.keys(PARTS) as Part[])('When %s starts, then it gets only variables its code reads', (part) => {
    const deployment = deploymentOf(manifests(), part);
    const configMap = ofKind(manifests(), 'ConfigMap').find((map) => map.metadata.name === container(deployment).envFrom![0]!.configMapRef!.name)!;
    const given = [...Object.keys(configMap.data as object), ...(container(deployment).env ?? []).map((variable) => variable.name)];
    const read = new Set([...variablesRead(PARTS[part] as ZodType), ...READ_BY_NODE_ITSELF]);
    const readFromFiles = new Set(FILE_VARIABLES.filter((variable) => read.has(variable)).map((variable) => `${variable}_FILE`));
    expect(given.filter((variable) => !read.has(variable) && !readFromFiles.has(variable))).toEqual([]);
    expect(configMap.data).toMatchObject(part === 'gateway' ? { NODE_ENV: 'production' } : { NODE_ENV: 'production', BIND_ADDRESS: '0.0.0.0' });
  });
});

describe('the chart with secrets in its values', () => {
  const manifests = (): Manifest[] => renders.secrets!;
  const secretsHolding = (value: string): Manifest[] => ofKind(manifests(), 'Secret').filter((secret) => decoded(secret).some((text) => text.includes(value)));

  test('When the secrets are rendered, then no ConfigMap holds any of them: each is in a Secret', () => {
    const values = [SECRET_VALUES.privateKey, SECRET_VALUES.publicKey, SECRET_VALUES.adminPassword, SECRET_VALUES.mongoPassword, ...Object.values(SECRET_VALUES.amqpPasswords)];
    const configText = JSON.stringify(ofKind(manifests(), 'ConfigMap'));
    expect(values.filter((value) => configText.includes(value))).toEqual([]);
    expect(values.filter((value) => secretsHolding(value).length === 0)).toEqual([]);
    // Nothing outside a Secret carries one, whatever its kind.
    const elsewhere = JSON.stringify(manifests().filter((manifest) => manifest.kind !== 'Secret'));
    expect(values.filter((value) => elsewhere.includes(value))).toEqual([]);
  });

  test("When the pods mount their secrets, then only customer's pod gets the private key, and each service only its own broker user", () => {
    const privateKeySecrets = secretsHolding(SECRET_VALUES.privateKey).map((secret) => secret.metadata.name);
    expect(privateKeySecrets).toHaveLength(1);
    for (const part of Object.keys(PARTS) as Part[]) {
      const used = secretsUsedBy(podSpec(deploymentOf(manifests(), part)));
      expect({ part, privateKey: used.includes(privateKeySecrets[0]!) }).toEqual({ part, privateKey: part === 'customer' });
      const publicKeySecret = secretsHolding(SECRET_VALUES.publicKey)[0]!.metadata.name;
      expect({ part, publicKey: used.includes(publicKeySecret) }).toEqual({ part, publicKey: part !== 'gateway' });
      for (const owner of BACKENDS) {
        const brokerSecret = secretsHolding(SECRET_VALUES.amqpPasswords[owner])[0]!.metadata.name;
        expect({ part, owner, mounted: used.includes(brokerSecret) }).toEqual({ part, owner, mounted: part === owner });
      }
    }
  });

  test('When a service reads its broker URL, then it logs in as its own user on the configured broker', () => {
    for (const part of BACKENDS) {
      const [secret] = secretsHolding(SECRET_VALUES.amqpPasswords[part]);
      const url = Buffer.from((secret!.data as Record<string, string>)['amqp-url']!, 'base64').toString('utf8');
      expect(url).toBe(`amqp://${part}:${SECRET_VALUES.amqpPasswords[part]}@rabbitmq:5672`);
    }
  });

  test('When the services judge forwarded headers, then they trust the pod range given as podCIDR, and the gateway its ingress controller in it', () => {
    const data = (part: Part) => ofKind(manifests(), 'ConfigMap').find((map) => componentOf(map) === part)!.data as Record<string, string>;
    for (const part of BACKENDS) expect({ part, trusted: data(part).TRUSTED_PROXIES }).toEqual({ part, trusted: POD_CIDR });
    expect(data('gateway').TRUST_PROXY).toBe(POD_CIDR);
  });

  test('When the private key is given, then the file customer reads it from is in the mounted Secret', () => {
    const customer = deploymentOf(manifests(), 'customer');
    const file = container(customer).env!.find((variable) => variable.name === 'JWT_PRIVATE_KEY_FILE')!.value!;
    const mount = container(customer).volumeMounts!.find((m) => file.startsWith(`${m.mountPath}/`))!;
    const volume = podSpec(customer).volumes!.find((v) => v.name === mount.name)!;
    const secret = ofKind(manifests(), 'Secret').find((s) => s.metadata.name === volume.secret!.secretName)!;
    const key = path.basename(file);
    expect(Buffer.from((secret.data as Record<string, string>)[key]!, 'base64').toString('utf8')).toBe(SECRET_VALUES.privateKey);
  });
});
