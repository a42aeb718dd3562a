// The synthesized manifests: golden files, and the properties that matter checked on every option set.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { k8s } from 'cdk8s-plus-33';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse as parseYaml } from 'yaml';
import { isPinned } from '../../cdk8s/options.js';
import { SECRETS, secretOwners } from '../../cdk8s/roles.js';
import { loadConfig } from '../../platform/config/load.js';
import { ConfigSchema, ENV_OVERRIDES } from '../../platform/config/schema.js';
import { configYaml, OPTION_SETS, podSpec, synth, workloads, type Synth } from '../support/manifests.js';

const root = join(import.meta.dirname, '..', '..');
const golden = (name: string) => join(import.meta.dirname, 'golden', `${name}.k8s.yaml`);

const synths: Record<string, Synth> = Object.fromEntries(Object.entries(OPTION_SETS).map(([name, input]) => [name, synth(input)]));
const each = (check: (s: Synth, name: string) => void) => {
  for (const [name, s] of Object.entries(synths)) {
    try {
      check(s, name);
    } catch (error) {
      (error as Error).message = `[${name}] ${(error as Error).message}`;
      throw error;
    }
  }
};
const containers = (s: Synth) =>
  workloads(s).flatMap((w) => [...(podSpec(w).initContainers ?? []), ...podSpec(w).containers].map((c) => ({ workload: w, c })));

test('each option set synthesizes exactly its committed golden YAML (UPDATE_GOLDEN=1 rewrites them)', () => {
  for (const [name, s] of Object.entries(synths)) {
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden(name), s.yaml);
    assert.ok(existsSync(golden(name)), `${golden(name)} is committed (UPDATE_GOLDEN=1 writes it)`);
    assert.fixture(s.yaml, readFileSync(golden(name), 'utf8'), `${name}: the manifests changed; review, then UPDATE_GOLDEN=1`);
  }
});

test('every object is a Kubernetes type the cdk8s-plus-33 k8s module knows, namespaced and named', () => {
  const known = new Set(
    Object.values(k8s)
      .map((value) => (value as { GVK?: { apiVersion: string; kind: string } }).GVK)
      .filter((gvk) => gvk !== undefined)
      .map((gvk) => `${gvk.apiVersion}/${gvk.kind}`),
  );
  each((s) => {
    for (const object of s.objects) {
      assert.ok(known.has(`${object.apiVersion}/${object.kind}`), `${object.apiVersion} ${object.kind} is a known type`);
      assert.match(object.metadata.name, /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
      if (object.kind !== 'Namespace')
        assert.is(object.metadata.namespace, s.options.namespace, `${object.kind} ${object.metadata.name} namespace`);
    }
    assert.is(s.objects[0]!.kind, 'Namespace', 'the namespace comes first, so kubectl apply -f creates it before its objects');
  });
});

test('every container has CPU and memory requests and limits, limits at or above requests', () => {
  const mi = (q: string) => (q.endsWith('Gi') ? Number.parseFloat(q) * 1024 : Number.parseFloat(q));
  const cpu = (q: string | number) => (String(q).endsWith('m') ? Number.parseFloat(String(q)) / 1000 : Number(q));
  each((s) => {
    for (const { workload, c } of containers(s)) {
      const where = `${workload.metadata.name}/${c.name}`;
      for (const kind of ['requests', 'limits']) {
        assert.ok(c.resources?.[kind]?.cpu !== undefined && c.resources?.[kind]?.memory !== undefined, `${where} ${kind}`);
      }
      assert.ok(mi(c.resources.limits.memory) >= mi(c.resources.requests.memory), `${where} memory limit >= request`);
      assert.ok(cpu(c.resources.limits.cpu) >= cpu(c.resources.requests.cpu), `${where} cpu limit >= request`);
    }
  });
});

test('every long-running container has readiness and liveness probes; the roles probe /healthz on http.port', () => {
  each((s) => {
    const port = ConfigSchema.parse(parseYaml(configYaml(s))).http.port;
    for (const { workload, c } of containers(s)) {
      // A Job runs to its end, and so does an init container (which may have no probes).
      if (workload.kind === 'Job' || (podSpec(workload).initContainers ?? []).includes(c)) continue;
      assert.ok(c.readinessProbe && c.livenessProbe, `${workload.metadata.name} has both probes`);
      if (workload.kind !== 'Deployment') continue;
      for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
        assert.is(probe.httpGet.path, '/healthz');
        const named = c.ports.find((p: { name: string }) => p.name === probe.httpGet.port);
        assert.is(named?.containerPort, port, `${workload.metadata.name} probes the port it serves`);
      }
      assert.equal(c.args, [workload.metadata.labels!['app.kubernetes.io/component']], 'the role is the argument');
    }
  });
});

test('every secret of the config schema is read by the role that needs it, from the user Secret', () => {
  const envs = ENV_OVERRIDES.filter((o) => o.secret).map((o) => o.env);
  assert.ok(envs.length >= 4);
  for (const secret of SECRETS) assert.ok(secretOwners(secret).length > 0, `${secret.env} (${secret.path}) has a role that reads it`);
  const s = synths['one-pi']!;
  const referenced = s.all('Deployment').flatMap((d) =>
    podSpec(d)
      .containers[0].env.filter((v: { valueFrom?: { secretKeyRef?: unknown } }) => v.valueFrom?.secretKeyRef)
      .map((v: { name: string }) => v.name),
  );
  assert.equal([...new Set(referenced)].sort(), [...envs].sort());
  const refs = (role: string) =>
    podSpec(s.get('Deployment', `stock-stream-${role}`))
      .containers[0].env.filter((v: { valueFrom?: { secretKeyRef?: unknown } }) => v.valueFrom?.secretKeyRef)
      .map((v: { name: string }) => v.name);
  // Every role on the bus logs in to Kafka; those that keep aggregates or the ledger log in to Redis.
  assert.equal(refs('ingest'), ['KAFKA_SASL_PASSWORD', 'ALPHAVANTAGE_API_KEY']);
  assert.equal(refs('process'), ['KAFKA_SASL_PASSWORD']);
  assert.equal(refs('aggregate'), ['KAFKA_SASL_PASSWORD', 'REDIS_PASSWORD']);
  assert.ok(refs('notify').includes('SMTP_PASSWORD') && refs('notify').includes('REDIS_PASSWORD'));
  assert.ok(refs('web').includes('REDIS_PASSWORD'));
  assert.equal(refs('edge'), ['KAFKA_SASL_PASSWORD', 'MQTT_PASSWORD', 'MQTT_COMMAND_TOKEN']);
});

test('secrets: no Secret object, no secret value; each secret variable is a reference to the user Secret', () => {
  each((s) => {
    assert.is(s.all('Secret').length, 0);
    for (const { workload, c } of containers(s)) {
      for (const variable of c.env ?? []) {
        if (SECRETS.some((secret) => secret.env === variable.name) || /PASSWORD|TOKEN|API_KEY|SECRET/.test(variable.name)) {
          assert.is(variable.value, undefined, `${variable.name} has no inline value`);
          assert.is(variable.valueFrom.secretKeyRef.name, s.options.secretName);
          assert.is(variable.valueFrom.secretKeyRef.key, variable.name.toLowerCase().replace(/_/g, '-'));
          // A role runs without an unset key (the feature stays off, or the role says what to set); Kafka,
          // Redis and the topics Job wait for theirs: without it they would let anyone in, or nobody.
          const infrastructure = workload.kind !== 'Deployment';
          assert.is(
            variable.valueFrom.secretKeyRef.optional,
            !infrastructure,
            `${workload.metadata.name} ${variable.name}: ${infrastructure ? 'required' : 'optional'}`,
          );
        }
      }
    }
  });
});

test('a secret put into the config options fails synth and never reaches the output', () => {
  assert.throws(
    () => synth({ config: { mqtt: { password: 'hunter2-do-not-ship' } } }),
    /config\.mqtt\.password: a secret never goes into the ConfigMap; put it in the Secret stock-stream-secrets/,
  );
  assert.throws(() => synth({ config: { ingest: { alphavantage: { apiKey: 'k' } } } }), /config\.ingest\.alphavantage\.apiKey/);
});

test('the ConfigMap is a config.yaml the roles load: the real loader reads it, the cluster values are in it', () => {
  each((s, name) => {
    const text = configYaml(s);
    const dir = mkdtempSync(join(tmpdir(), 'cdk8s-config-'));
    writeFileSync(join(dir, 'config.yaml'), text);
    const config = loadConfig({ env: { STOCK_STREAM_CONFIG: join(dir, 'config.yaml') } });
    if (name === 'external') {
      assert.equal(config.kafka.brokers, ['kafka-a.lan:9092', 'kafka-b.lan:9092']);
      assert.is(config.redis.url, 'redis://nas.lan:6379/2');
    } else {
      assert.equal(
        config.kafka.brokers,
        Array.from({ length: s.options.kafka.replicas }, (_, i) => `kafka-${i}.kafka-headless.stock-stream.svc.cluster.local:9092`),
      );
      assert.is(config.redis.url, 'redis://redis.stock-stream.svc.cluster.local:6379');
    }
    assert.is(config.kafka.replicationFactor, s.options.kafka.replicationFactor);
    assert.is(config.dataDir, '/var/lib/stock-stream');
  });
  const five = ConfigSchema.parse(parseYaml(configYaml(synths['five-pis-device-plugin']!)));
  assert.equal(five.symbols, ['BTC-USD', 'ETH-USD']);
  assert.is(five.mqtt.url, 'mqtt://homeassistant.lan:1883');
});

test('a bad config value fails synth with the key named, before any manifest is written', () => {
  assert.throws(() => synth({ config: { http: { port: 70000 } } }), /^config\.http\.port: /);
  assert.throws(() => synth({ config: { symbols: ['bitcoin'] } }), /config\.symbols\.0: must look like BTC-USD/);
  assert.throws(() => synth({ config: { kafak: {} } }), /config\.kafak: unknown key/);
  assert.throws(() => synth({ config: { indicators: { rsi: Number.NaN } } }), /config\.indicators\.rsi/);
  assert.throws(() => synth({ config: { kafka: { brokers: ['elsewhere:9092'] } } }), /config\.kafka: set brokers.*with the kafka options/);
  assert.throws(() => synth({ config: { redis: { url: 'redis://x:1' } } }), /config\.redis\.url: set it with the redis\.external option/);
});

test('Kafka: 1 broker below 3 Pis, 3 from 3 Pis up, with PVCs of the configured size; Redis with a PVC and AOF', () => {
  const replicas = (s: Synth) => s.get('StatefulSet', 'kafka').spec!.replicas;
  assert.is(replicas(synths['one-pi']!), 1);
  assert.is(replicas(synths['three-pis']!), 3);
  assert.is(replicas(synths['five-pis-device-plugin']!), 3);
  assert.is(replicas(synth({ nodes: 2 })), 1);
  const claim = (s: Synth, name: string) => s.get('StatefulSet', name).spec!.volumeClaimTemplates[0].spec;
  assert.is(claim(synths['one-pi']!, 'kafka').resources.requests.storage, '10Gi');
  assert.is(claim(synths['five-pis-device-plugin']!, 'kafka').resources.requests.storage, '20Gi');
  assert.equal(claim(synths['one-pi']!, 'kafka').accessModes, ['ReadWriteOnce']);
  assert.is(claim(synths['one-pi']!, 'redis').resources.requests.storage, '10Gi');
  assert.is(synth({ storageClassName: 'nvme' }).get('StatefulSet', 'redis').spec!.volumeClaimTemplates[0].spec.storageClassName, 'nvme');
  const redis = podSpec(synths['one-pi']!.get('StatefulSet', 'redis')).containers[0];
  const args = redis.args.join(' ');
  assert.match(args, /--appendonly yes/);
  assert.match(args, /--appendfsync always/, 'the ledger and the aggregates survive a power cut');
  assert.match(args, /--dir \/data/);
  assert.equal(redis.volumeMounts, [{ name: 'data', mountPath: '/data' }]);
  // Three brokers never share a Pi.
  const affinity = podSpec(synths['three-pis']!.get('StatefulSet', 'kafka')).affinity.podAntiAffinity
    .requiredDuringSchedulingIgnoredDuringExecution[0];
  assert.is(affinity.topologyKey, 'kubernetes.io/hostname');
});

test('Kafka refuses 2 brokers (and 4, and 3 on fewer than 3 Pis) with a clear reason', () => {
  assert.throws(
    () => synth({ nodes: 3, kafka: { replicas: 2 } }),
    /kafka\.replicas: 2 cannot form a KRaft quorum that survives losing a node/,
  );
  assert.throws(() => synth({ nodes: 5, kafka: { replicas: 4 } }), /kafka\.replicas: must be 1 or 3, got 4/);
  assert.throws(() => synth({ nodes: 2, kafka: { replicas: 3 } }), /3 brokers need 3 Pis/);
  assert.throws(() => synth({ nodes: 1, kafka: { replicationFactor: 3 } }), /kafka\.replicationFactor: 3 is more than the 1 broker/);
  assert.is(synth({ nodes: 5, kafka: { replicas: 1 } }).get('StatefulSet', 'kafka').spec!.replicas, 1);
});

test('KRaft settings agree: node ids are the ordinals, voters name every pod, listeners match the ports', () => {
  for (const s of [synths['one-pi']!, synths['three-pis']!]) {
    const set = s.get('StatefulSet', 'kafka');
    const headless = s.get('Service', set.spec!.serviceName);
    assert.is(headless.spec!.clusterIP, 'None');
    assert.is(headless.spec!.publishNotReadyAddresses, true, 'voters resolve before they are ready');
    assert.is(set.spec!.podManagementPolicy, 'Parallel');
    const c = podSpec(set).containers[0];
    const env = new Map<string, { value?: string; valueFrom?: { fieldRef: { fieldPath: string } } }>(
      c.env.map((v: { name: string }) => [v.name, v]),
    );
    const value = (name: string) => env.get(name)?.value ?? '';
    assert.is(env.get('KAFKA_NODE_ID')!.valueFrom!.fieldRef.fieldPath, "metadata.labels['apps.kubernetes.io/pod-index']");
    const names: string[] = c.env.map((v: { name: string }) => v.name);
    assert.ok(names.indexOf('POD_NAME') < names.indexOf('KAFKA_ADVERTISED_LISTENERS'), '$(POD_NAME) is defined before it is used');
    const n = set.spec!.replicas as number;
    const domain = `${headless.metadata.name}.${s.options.namespace}.svc.cluster.local`;
    const controllerPort = c.ports.find((p: { name: string }) => p.name === 'controller').containerPort;
    const clientPort = c.ports.find((p: { name: string }) => p.name === 'kafka').containerPort;
    assert.is(
      value('KAFKA_CONTROLLER_QUORUM_VOTERS'),
      Array.from({ length: n }, (_, id) => `${id}@kafka-${id}.${domain}:${controllerPort}`).join(','),
    );
    assert.is(value('KAFKA_ADVERTISED_LISTENERS'), `CLIENT://$(POD_NAME).${domain}:${clientPort}`);
    assert.is(value('KAFKA_LISTENERS'), `CLIENT://:${clientPort},CONTROLLER://:${controllerPort}`);
    assert.is(value('KAFKA_CONTROLLER_LISTENER_NAMES'), 'CONTROLLER');
    assert.match(value('KAFKA_PROCESS_ROLES'), /^broker,controller$/);
    assert.match(value('CLUSTER_ID'), /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    for (const key of [
      'KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR',
      'KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR',
      'KAFKA_DEFAULT_REPLICATION_FACTOR',
    ]) {
      assert.is(Number(value(key)), n, key);
    }
    // With 3, one broker may be down and transactions (the processor's exactly-once) still commit.
    assert.is(Number(value('KAFKA_TRANSACTION_STATE_LOG_MIN_ISR')), n === 3 ? 2 : 1);
    assert.is(Number(value('KAFKA_MIN_INSYNC_REPLICAS')), n === 3 ? 2 : 1);
    assert.ok(value('KAFKA_LOG_DIRS').startsWith(`${c.volumeMounts[0].mountPath}/`), 'the log dir is on the volume');
    assert.ok(
      !env.has('KAFKA_PORT') && podSpec(set).enableServiceLinks === false,
      'no KAFKA_PORT service link: the image refuses to start with one',
    );
    // Heap sized for a 4 GB Pi, inside the container's limit.
    const heap = Number(/-Xmx(\d+)m/.exec(value('KAFKA_HEAP_OPTS'))![1]);
    assert.ok(heap <= 1024 && heap + 256 <= Number.parseInt(c.resources.limits.memory, 10), 'heap leaves room in the limit');
  }
});

test('the topics Job creates the schema default topics with the configured partitions and replication; the state topic is compacted', () => {
  const defaults = ConfigSchema.parse({});
  const cases: Array<[Synth, number, number]> = [
    [synths['one-pi']!, defaults.kafka.partitions, 1],
    [synths['three-pis']!, defaults.kafka.partitions, 3],
    [synths['five-pis-device-plugin']!, 6, 3],
    [synths['external']!, defaults.kafka.partitions, 2],
  ];
  for (const [s, partitions, replication] of cases) {
    const [job] = s.all('Job');
    const script: string = podSpec(job!).containers[0].command[2];
    const creates = script.split('\n').filter((line) => line.includes('--create'));
    const topic = (line: string) => /--topic (\S+)/.exec(line)![1];
    assert.equal(creates.map(topic), [
      defaults.topics.ticks,
      defaults.topics.indicators,
      defaults.topics.signals,
      defaults.topics.dlq,
      defaults.topics.notifications,
      defaults.topics.processorState,
    ]);
    for (const line of creates) {
      assert.match(line, new RegExp(`--partitions ${partitions} --replication-factor ${replication}( |$)`));
      assert.match(line, /--if-not-exists/);
      assert.ok(line.includes(`--bootstrap-server ${s.options.kafka.external?.join(',') ?? ''}`));
    }
    const state = creates.find((line) => topic(line) === defaults.topics.processorState)!;
    assert.match(state, /--config cleanup\.policy=compact/);
    assert.ok(Number(/--partitions (\d+)/.exec(state)![1]) >= partitions, 'state partitions >= ticks partitions (the processor checks it)');
    assert.ok(creates.filter((line) => line !== state).every((line) => !line.includes('cleanup.policy')));
  }
  assert.is(synth({ kafka: { createTopics: false } }).all('Job').length, 0);
  assert.is.not(
    synths['one-pi']!.all('Job')[0]!.metadata.name,
    synths['three-pis']!.all('Job')[0]!.metadata.name,
    'a new plan is a new Job',
  );
});

test('the edge Deployment lands on the labelled Pi (the label firmware-config/k3s sets) with I2C and GPIO access', () => {
  const label = /"([^"=]+=[^"]*)"/.exec(readFileSync(join(root, 'firmware-config', 'k3s', 'agent-config.yaml'), 'utf8'))![1]!;
  assert.match(readFileSync(join(root, 'firmware-config', 'k3s', 'server-config.yaml'), 'utf8'), new RegExp(label.replace(/\./g, '\\.')));
  const [key, value] = label.split('=');
  each((s) => {
    const edge = podSpec(s.get('Deployment', 'stock-stream-edge'));
    assert.equal(edge.nodeSelector, { [key!]: value });
    assert.is(s.get('Deployment', 'stock-stream-edge').spec!.replicas, 1);
    assert.is(s.get('Deployment', 'stock-stream-edge').spec!.strategy.type, 'Recreate', 'never two pods on one I2C bus');
    assert.ok(edge.containers[0].env.some((v: { name: string; value: string }) => v.name === 'EDGE_HARDWARE' && v.value === 'required'));
    for (const other of s.all('Deployment').filter((d) => d.metadata.name !== 'stock-stream-edge')) {
      assert.is(podSpec(other).nodeSelector, undefined);
      assert.is(podSpec(other).containers[0].securityContext.privileged, undefined);
    }
  });
  // Default (plain k3s): privileged, but an unprivileged user in the i2c and gpio groups only.
  const plain = podSpec(synths['one-pi']!.get('Deployment', 'stock-stream-edge'));
  assert.equal(plain.securityContext.supplementalGroups, [998, 997]);
  assert.is(plain.containers[0].securityContext.privileged, true);
  assert.is(plain.containers[0].securityContext.runAsNonRoot, true);
  assert.ok(plain.containers[0].securityContext.runAsUser > 0);
  assert.equal(plain.containers[0].securityContext.capabilities.drop, ['ALL']);
  // device-plugin: no privilege; /dev/i2c-1 from the plugin's resource; GPIO through the sysfs trees only.
  const s = synths['five-pis-device-plugin']!;
  const narrow = podSpec(s.get('Deployment', 'stock-stream-edge'));
  const c = narrow.containers[0];
  assert.equal(narrow.securityContext.supplementalGroups, [994, 993]);
  assert.is(c.securityContext.privileged, undefined);
  assert.is(c.securityContext.allowPrivilegeEscalation, false);
  assert.is(c.resources.limits['smarter-devices/i2c-1'], 1);
  assert.equal(
    narrow.volumes.filter((v: { hostPath?: unknown }) => v.hostPath).map((v: { hostPath: { path: string } }) => v.hostPath.path),
    ['/sys/class/gpio', '/sys/devices/platform'],
  );
  const gpioRoot = ConfigSchema.parse(parseYaml(configYaml(s))).edge.gpio.root;
  assert.ok(
    c.volumeMounts.some((m: { mountPath: string }) => m.mountPath === gpioRoot),
    'edge.gpio.root is where the host GPIO is mounted',
  );
});

test('external Kafka and Redis: no StatefulSet, no Service of theirs, the config points at them', () => {
  const s = synths['external']!;
  assert.is(s.all('StatefulSet').length, 0);
  assert.is(s.all('PersistentVolumeClaim').length, 0);
  assert.equal(
    s
      .all('Service')
      .filter((o) => !o.metadata.name.startsWith('stock-stream-'))
      .map((o) => o.metadata.name),
    [],
  );
  assert.is(s.find('PodDisruptionBudget', 'kafka'), undefined);
  const onlyKafka = synth({ kafka: { external: ['kafka.lan:9092'] } });
  assert.equal(
    onlyKafka.all('StatefulSet').map((o) => o.metadata.name),
    ['redis'],
  );
  const onlyRedis = synth({ redis: { external: 'rediss://cache.lan:6380' } });
  assert.equal(
    onlyRedis.all('StatefulSet').map((o) => o.metadata.name),
    ['kafka'],
  );
});

test('images are pinned (no latest, no bare name) and the option refuses an unpinned one', () => {
  each((s) => {
    for (const { c } of containers(s)) assert.ok(isPinned(c.image) && !c.image.endsWith(':latest'), `${c.image} is pinned`);
    assert.match(podSpec(s.all('Job')[0]!).containers[0].image, /^apache\/kafka:4\.\d+\.\d+$/);
  });
  for (const bad of ['stock-stream', 'stock-stream:latest', 'registry.lan:5000/stock-stream', 'x@sha256:123']) {
    assert.throws(() => synth({ image: bad }), /^image: must be pinned/, bad);
  }
  assert.throws(() => synth({ redis: { image: 'redis' } }), /^redis\.image: must be pinned/);
  assert.ok(isPinned('registry.lan:5000/stock-stream:0.1.0'));
  assert.ok(isPinned(`stock-stream@sha256:${'a'.repeat(64)}`));
});

test('pods run as non-root, with no privilege escalation, no service links, read-only roots where the image allows', () => {
  each((s) => {
    for (const { workload, c } of containers(s)) {
      const pod = podSpec(workload);
      const where = `${workload.metadata.name}/${c.name}`;
      assert.is(pod.securityContext.runAsNonRoot, true, where);
      assert.ok(pod.securityContext.runAsUser > 0, where);
      assert.is(c.securityContext.runAsNonRoot, true, where);
      assert.is(pod.enableServiceLinks, false, where);
      assert.is(pod.automountServiceAccountToken, false, where);
      if (c.securityContext.privileged !== true) assert.is(c.securityContext.allowPrivilegeEscalation, false, where);
      // Only Kafka keeps a writable root: its image writes server.properties under /opt/kafka/config.
      assert.is(c.securityContext.readOnlyRootFilesystem, c.name !== 'kafka', where);
    }
  });
});

test('replicas follow the number of Pis; every Deployment and StatefulSet has a PodDisruptionBudget that selects it', () => {
  const replicas = (s: Synth, role: string) => s.get('Deployment', `stock-stream-${role}`).spec!.replicas;
  assert.is(replicas(synths['one-pi']!, 'process'), 1);
  assert.is(replicas(synths['three-pis']!, 'process'), 3);
  assert.is(replicas(synth({ nodes: 5 }), 'process'), 3, 'no more processors than partitions');
  assert.is(replicas(synths['five-pis-device-plugin']!, 'process'), 5);
  assert.is(replicas(synths['three-pis']!, 'web'), 2);
  assert.is(replicas(synth({ replicas: { aggregate: 2 } }), 'aggregate'), 2);
  each((s) => {
    for (const role of ['ingest', 'edge']) assert.is(replicas(s, role), 1);
    for (const workload of [...s.all('Deployment'), ...s.all('StatefulSet')]) {
      const budget = s.get('PodDisruptionBudget', workload.metadata.name);
      assert.equal(budget.spec!.selector.matchLabels, workload.spec!.selector.matchLabels);
      assert.equal(workload.spec!.template.metadata.labels, {
        ...workload.spec!.template.metadata.labels,
        ...workload.spec!.selector.matchLabels,
      });
      assert.is(budget.spec!.maxUnavailable, 1, 'a drain of a one-Pi cluster still finishes');
    }
  });
});

test('the dashboard: a Service to the web pods and a Traefik Ingress to it; roles can be left out', () => {
  each((s) => {
    const service = s.get('Service', 'stock-stream-web');
    const web = s.get('Deployment', 'stock-stream-web');
    assert.equal(service.spec!.selector, web.spec!.selector.matchLabels);
    assert.is(service.spec!.ports[0].targetPort, 'http');
    const ingress = s.get('Ingress', 'stock-stream-web');
    assert.is(ingress.spec!.ingressClassName, 'traefik');
    const backend = ingress.spec!.rules[0].http.paths[0].backend.service;
    assert.is(backend.name, service.metadata.name);
    assert.is(backend.port.name, service.spec!.ports[0].name);
  });
  // The health panel reaches each other role's /healthz through its Service.
  each((s) => {
    const roles = ConfigSchema.parse(parseYaml(configYaml(s))).web.roles;
    assert.equal(Object.keys(roles), ['ingest', 'process', 'aggregate', 'notify', 'edge']);
    for (const [role, url] of Object.entries(roles)) {
      const service = s.get('Service', `stock-stream-${role}`);
      assert.is(url, `http://${service.metadata.name}.${s.options.namespace}.svc.cluster.local:${service.spec!.ports[0].port}/healthz`);
      assert.equal(service.spec!.selector, s.get('Deployment', `stock-stream-${role}`).spec!.selector.matchLabels);
    }
  });
  assert.is(synths['five-pis-device-plugin']!.get('Ingress', 'stock-stream-web').spec!.rules[0].host, 'stocks.home.lan');
  assert.is(synth({ ingress: { enabled: false } }).all('Ingress').length, 0);
  // The k3s config firmware-config/ installs keeps the Traefik that serves this Ingress.
  assert.not.match(readFileSync(join(root, 'firmware-config', 'k3s', 'server-config.yaml'), 'utf8'), /^\s*-\s*traefik/m);
  const some = synth({ roles: ['ingest', 'process'] });
  assert.equal(
    some.all('Deployment').map((d) => d.metadata.name),
    ['stock-stream-ingest', 'stock-stream-process'],
  );
  assert.is(some.find('Service', 'stock-stream-web'), undefined);
});

test('a changed config.yaml rolls the pods: its hash is on every role pod template', () => {
  const a = synth({});
  const b = synth({ config: { log: { level: 'debug' } } });
  const hash = (s: Synth) =>
    s.get('Deployment', 'stock-stream-process').spec!.template.metadata.annotations['stock-stream.io/config-sha256'];
  assert.match(hash(a), /^[0-9a-f]{64}$/);
  assert.is.not(hash(a), hash(b));
});

test.run();
