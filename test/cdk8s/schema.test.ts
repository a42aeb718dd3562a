// Every synthesized object validated offline against the Kubernetes OpenAPI schema (kubernetes-models 5,
// generated from Kubernetes 1.36.0's API; every group/version the manifests use is unchanged since 1.33).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAllDocuments } from 'yaml';
import * as apps from 'kubernetes-models/apps/v1';
import * as batch from 'kubernetes-models/batch/v1';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as core from 'kubernetes-models/v1';
import { OPTION_SETS, synth } from '../support/manifests.js';

interface Model {
  validate(): void;
}
type ModelClass = (new (data: object) => Model) & { apiVersion: string; kind: string };

/** apiVersion/kind -> the model class, from the group/version modules the manifests may use. A kind from
 *  any other group has no entry and fails the test: add its module here rather than let it pass unchecked. */
const MODELS = new Map<string, ModelClass>();
for (const module of [core, apps, batch, policy, networking]) {
  for (const value of Object.values(module) as unknown[]) {
    if (typeof value !== 'function') continue;
    const model = value as unknown as ModelClass;
    if (typeof model.apiVersion === 'string' && typeof model.kind === 'string') MODELS.set(`${model.apiVersion}/${model.kind}`, model);
  }
}

/** Validates one parsed object; throws naming the object and the schema's errors (or the unknown kind). */
function validateObject(object: Record<string, unknown>): void {
  const metadata = object.metadata as { name?: unknown } | undefined;
  const what = `${String(object.apiVersion)} ${String(object.kind)} ${String(metadata?.name)}`;
  const Model = MODELS.get(`${String(object.apiVersion)}/${String(object.kind)}`);
  if (!Model) throw new Error(`${what}: no Kubernetes schema for this apiVersion/kind (unknown kind, or add its group to MODELS)`);
  try {
    new Model(object).validate();
  } catch (error) {
    throw new Error(`${what}: ${(error as Error).message}`, { cause: error });
  }
}

const parse = (yaml: string) =>
  parseAllDocuments(yaml).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`the YAML does not parse: ${doc.errors[0]!.message}`);
    return doc.toJS() as Record<string, unknown>;
  });

const oneDeployment = () => {
  const deployment = parse(synth(OPTION_SETS['one-pi']).yaml).find((o) => o.kind === 'Deployment');
  assert.ok(deployment, 'the one-Pi manifests hold a Deployment');
  validateObject(deployment);
  return deployment as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
};

test('the model registry covers the kinds the manifests use, from the stable groups', () => {
  for (const key of [
    'v1/Namespace',
    'v1/ConfigMap',
    'v1/Service',
    'apps/v1/Deployment',
    'apps/v1/StatefulSet',
    'batch/v1/Job',
    'policy/v1/PodDisruptionBudget',
    'networking.k8s.io/v1/Ingress',
    'networking.k8s.io/v1/NetworkPolicy',
  ]) {
    assert.ok(MODELS.has(key), key);
  }
});

test('every object of every option set validates against the Kubernetes schema', () => {
  const kinds = new Set<string>();
  for (const [name, input] of Object.entries(OPTION_SETS)) {
    const objects = parse(synth(input).yaml);
    assert.ok(objects.length >= 8, `${name}: ${objects.length} objects`);
    for (const object of objects) {
      try {
        validateObject(object);
      } catch (error) {
        assert.unreachable(`[${name}] ${(error as Error).message}`);
      }
      kinds.add(`${String(object.apiVersion)}/${String(object.kind)}`);
    }
  }
  // The check ran over every kind the chart makes (a kind dropped from the chart shows up here too).
  assert.equal([...kinds].sort(), [
    'apps/v1/Deployment',
    'apps/v1/StatefulSet',
    'batch/v1/Job',
    'networking.k8s.io/v1/Ingress',
    'networking.k8s.io/v1/NetworkPolicy',
    'policy/v1/PodDisruptionBudget',
    'v1/ConfigMap',
    'v1/Namespace',
    'v1/Service',
  ]);
});

test('the schema check rejects broken objects, naming the object and the field', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const broken: Array<[string, (d: Record<string, any>) => void, RegExp]> = [
    ['replicas as a string', (d) => (d.spec.replicas = '2'), /spec\/replicas must be integer/],
    [
      'a container without a name',
      (d) => delete d.spec.template.spec.containers[0].name,
      /containers\/0 must have required property '?name'?/,
    ],
    ['no selector', (d) => delete d.spec.selector, /spec must have required property/],
    [
      'a port by name where a number is required',
      (d) => (d.spec.template.spec.containers[0].ports[0].containerPort = 'http'),
      /containerPort must be integer/,
    ],
    [
      'a memory limit that is no quantity',
      (d) => (d.spec.template.spec.containers[0].resources.limits.memory = '256 megs'),
      /limits\/memory must match format "quantity"/,
    ],
    [
      'a restart policy outside the enum',
      (d) => (d.spec.template.spec.restartPolicy = 'Sometimes'),
      /restartPolicy must be equal to one of the allowed values/,
    ],
    [
      'a number as an env value',
      (d) => (d.spec.template.spec.containers[0].env = [{ name: 'X', value: 3 }]),
      /env\/0\/value must be string/,
    ],
  ];
  for (const [what, breakIt, expected] of broken) {
    const deployment = oneDeployment();
    breakIt(deployment);
    assert.throws(
      () => validateObject(deployment),
      (error: Error) => expected.test(error.message) && error.message.startsWith(`apps/v1 Deployment ${deployment.metadata.name}:`),
      what,
    );
  }
});

test('an object whose kind has no schema fails by name instead of passing unchecked', () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ apiVersion: 'apps/v1', kind: 'Deploymnt', metadata: { name: 'typo' } }, /apps\/v1 Deploymnt typo: no Kubernetes schema/],
    [
      { apiVersion: 'traefik.io/v1alpha1', kind: 'IngressRoute', metadata: { name: 'web' } },
      /traefik\.io\/v1alpha1 IngressRoute web: no Kubernetes schema/,
    ],
    [
      { apiVersion: 'extensions/v1beta1', kind: 'Ingress', metadata: { name: 'old' } },
      /extensions\/v1beta1 Ingress old: no Kubernetes schema/,
    ],
    [{ kind: 'Service', metadata: { name: 'no-version' } }, /undefined Service no-version: no Kubernetes schema/],
  ];
  for (const [object, expected] of cases) assert.throws(() => validateObject(object), expected);
});

test('a Service of the manifests with a wrong type is rejected', () => {
  const service = parse(synth(OPTION_SETS['three-pis']).yaml).find((o) => o.kind === 'Service') as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  validateObject(service);
  service.spec.ports[0].port = -1.5;
  assert.throws(() => validateObject(service), /ports\/0\/port must be integer/);
});

test.run();
