// The cluster deployment for real: a three-node KRaft cluster (replication factor 3, min.insync.replicas
// 2, the topics as the k3s manifests create them), the real Redis, and every role its own process of
// the built CLI: ingest (a replay of a file), two processors in one group, the aggregator, the notifier
// (a webhook and the dashboard channel) and the web role. Mid-stream the ticks partition's leader
// broker is SIGKILLed, then the processor that owns that partition. The outcome must equal an
// uninterrupted run (the core run directly over the same ticks): every tick counted once in the daily
// figures, every signal once on the topic, every recommendation once by webhook and once on the
// dashboard of the separate web process. Before that, on the same cluster: a transaction whose outputs
// go to partitions led by three different brokers commits each output once. Run by `npm run
// test:cluster` (the last phase of `npm test`).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { topicPlan } from '../../cdk8s/kafka-topics-job.js';
import type { SignalSummary } from '../../core/contracts/index.js';
import { KafkaBus } from '../../platform/bus/kafka-bus.js';
import { ConfigSchema } from '../../platform/config/schema.js';
import { createLogger } from '../../platform/log.js';
import { freePort, waitUntil } from '../services/child.js';
import { startKafkaCluster, type KafkaCluster } from '../services/kafka.js';
import { startRedis, type RedisService } from '../services/redis.js';
import { cli, startService, type Service } from '../support/cli.js';
import { startHttpReceiver, type HttpReceiver } from '../support/notify-receivers.js';
import { expectedSignals, TEST_SETTINGS_YAML, tickPath } from '../support/ticks.js';
import { watchTopic } from '../support/topic-watch.js';
import { eventually } from '../support/wait.js';

const TICKS = 900;
/** Ticks are a minute apart: at this speed the replay takes about a minute of wall time. */
const SPEED = 900;
const PROCESS_GROUP = 'stock-stream-processor';

interface Events {
  text(): string;
  close(): void;
}

/**
 * The web role's server-sent events, as a browser receives them: a client that falls behind is
 * dropped by the server (a bounded queue), and reconnects at once with Last-Event-ID to get what it
 * missed, as the page does. Text from every connection, in order.
 */
function followEvents(port: number): Events {
  let text = '';
  let closed = false;
  let request: ReturnType<typeof httpRequest> | undefined;
  const connect = () => {
    const lastId = [...text.matchAll(/^id: (\S+)$/gm)].at(-1)?.[1];
    request = httpRequest(
      { host: '127.0.0.1', port, path: '/api/events', headers: lastId ? { 'last-event-id': lastId } : {} },
      (response) => {
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('error', () => undefined);
        response.on('close', () => {
          if (closed) return;
          text += '\n: reconnecting\n\n';
          setTimeout(connect, 100);
        });
      },
    );
    request.on('error', () => {
      if (!closed) setTimeout(connect, 500);
    });
    request.end();
  };
  connect();
  return {
    text: () => text,
    close: () => {
      closed = true;
      request?.destroy();
    },
  };
}

let cluster: KafkaCluster;
let clusterDir: string;
/** The brokers' data and logs stay for a look after a failure. */
let failed = false;
test.before(async () => {
  clusterDir = mkdtempSync(join(tmpdir(), 'three-brokers-kafka-'));
  cluster = await startKafkaCluster(clusterDir);
  console.log(`cluster test: three Kafka ${cluster.version} nodes at ${cluster.brokers.join(',')}`);
});
test.after(async () => {
  await cluster?.stop();
  if (!failed) rmSync(clusterDir, { recursive: true, force: true });
});

const signalIdsIn = (text: string) => [...text.matchAll(/signal id: ([^\s"\\]+)/g)].map((m) => m[1]!);

test('a transaction writing to partitions led by three brokers commits every output once', async () => {
  const bus = await KafkaBus.connect({
    brokers: cluster.brokers,
    clientId: 'three-leaders',
    logger: createLogger('silent'),
    partitions: 3,
    replicationFactor: cluster.replicationFactor,
  });
  const admin = new kafkajs.Kafka({
    clientId: 'three-leaders-admin',
    brokers: cluster.brokers,
    logLevel: kafkajs.logLevel.NOTHING,
  }).admin();
  const input = 'three-leaders-in';
  const output = 'three-leaders-out';
  const INPUTS = 300;
  const received: string[] = [];
  try {
    await bus.ensureTopics([
      { name: input, partitions: 1 },
      { name: output, partitions: 3 },
    ]);
    await admin.connect();
    const leaders = (await admin.fetchTopicMetadata({ topics: [output] })).topics[0]!.partitions.map((p) => p.leader);
    assert.is(new Set(leaders).size, 3, `the output's partitions are led by three brokers (${leaders.join(', ')})`);
    const subscription = await bus.consume({
      topics: [input],
      group: 'three-leaders',
      transactional: true,
      commitPosition: 'after-outputs',
      handler: async (batch, context) => {
        // Every batch writes to all three partitions, so every transaction involves three leaders.
        for (const message of batch)
          context.publish(
            output,
            [0, 1, 2].map((partition) => ({ key: null, partition, value: `${message.value}:${partition}` })),
          );
      },
    });
    const reader = await bus.consume({
      topics: [output],
      from: 'earliest',
      handler: async (batch) => void received.push(...batch.map((message) => message.value)),
    });
    try {
      for (let i = 0; i < INPUTS; i++) {
        await bus.publish(input, [{ key: 'k', value: String(i) }]);
        // Ticks a few milliseconds apart, as a live feed: most batches hold one.
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
      await eventually(() => assert.ok(received.length >= INPUTS * 3, `${received.length} outputs`), 120_000, 200);
      // Whatever came late would show here.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const copies = new Map<string, number>();
      for (const value of received) copies.set(value, (copies.get(value) ?? 0) + 1);
      const twice = [...copies].filter(([, count]) => count > 1).map(([value]) => value);
      assert.is(twice.length, 0, `${twice.length} output(s) committed twice, e.g. ${twice.slice(0, 5).join(', ')}`);
      assert.is(copies.size, INPUTS * 3, 'every output once');
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      await reader.stop();
      await subscription.stop();
    }
  } finally {
    await admin.disconnect();
    await bus.close();
  }
});

test('three brokers: the leader broker and then a processor SIGKILLed mid-stream; every tick, signal and notification once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'three-brokers-'));
  const ticks = tickPath(TICKS, ['BTC-USD']);
  const all = expectedSignals(ticks).map((value) => JSON.parse(value) as SignalSummary);
  const recommendations = all.filter((signal) => signal.kind === 'recommendation');
  assert.ok(recommendations.length >= 3, `${recommendations.length} recommendations predicted`);
  const csv = join(dir, 'path.csv');
  writeFileSync(csv, `ts,price,volume\n${ticks.map((t) => `${t.ts},${t.price},${t.volume}`).join('\n')}\n`);

  const services: Array<{ name: string; service: Service }> = [];
  let redis: RedisService | undefined;
  let hooks: HttpReceiver | undefined;
  let reader: KafkaBus | undefined;
  let admin: kafkajs.Admin | undefined;
  let events: Events | undefined;
  const began = Date.now();
  let passed = false;
  const elapsed = () => `${((Date.now() - began) / 1000).toFixed(0)} s`;
  try {
    [redis, hooks] = await Promise.all([startRedis(mkdtempSync(join(dir, 'redis-'))), startHttpReceiver()]);
    const brokers = cluster.brokers.join(',');
    const configLines = (clientId: string) =>
      [
        TEST_SETTINGS_YAML,
        'symbols: [BTC-USD]',
        `kafka: { partitions: 3, replicationFactor: ${cluster.replicationFactor}, clientId: ${clientId} }`,
        'notify:',
        // A send that fails while the cluster fails over is tried again within seconds, not minutes.
        '  retry: { initialSeconds: 1, maxSeconds: 5, maxAttempts: 100 }',
        '  webhooks:',
        `    chat: { url: "${hooks!.url}/chat", body: '{"text":"{{text}}"}', ratePerMinute: 6000 }`,
        '  subscribers:',
        '    - { name: alice, channels: [webhook:chat, dashboard], minIntervalSeconds: 0, coalesceSeconds: 0 }',
        '',
      ].join('\n');
    const configFile = (clientId: string) => {
      const file = join(dir, `${clientId}.yaml`);
      writeFileSync(file, configLines(clientId));
      return file;
    };

    // The topics as the manifests' Job creates them (kafka-topics.sh with these settings).
    const config = ConfigSchema.parse({ kafka: { brokers: cluster.brokers, partitions: 3, replicationFactor: cluster.replicationFactor } });
    admin = new kafkajs.Kafka({ clientId: 'cluster-test', brokers: cluster.brokers, logLevel: kafkajs.logLevel.NOTHING }).admin();
    await admin.connect();
    const plans = topicPlan(config);
    await admin.createTopics({
      waitForLeaders: false,
      topics: plans.map((plan) => ({
        topic: plan.name,
        numPartitions: plan.partitions,
        replicationFactor: plan.replicationFactor,
        configEntries: Object.entries(plan.configs).map(([name, value]) => ({ name, value })),
      })),
    });
    await waitUntil(
      'every partition with a leader and three replicas',
      async () => {
        const { topics } = await admin!.fetchTopicMetadata({ topics: plans.map((plan) => plan.name) });
        const partitions = topics.flatMap((topic) => topic.partitions);
        if (partitions.length !== plans.length * 3 || !partitions.every((p) => p.leader >= 0 && p.replicas.length === 3))
          throw new Error('not yet');
      },
      60_000,
    );

    const env = async (name: string) => ({
      KAFKA_BOOTSTRAP_SERVERS: brokers,
      REDIS_URL: redis!.url,
      STOCK_STREAM_DATA_DIR: mkdtempSync(join(dir, `${name}-data-`)),
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      EDGE_HARDWARE: 'virtual',
    });
    const start = async (name: string, args: string[]) => {
      const settings = await env(name);
      const service = await startService([...args, '--config', configFile(name)], settings);
      services.push({ name, service });
      return { service, port: Number(settings.PORT) };
    };
    // Consumers first, each its own process; the source last.
    const [, , , , web] = await Promise.all([
      start('processor-a', ['process']),
      start('processor-b', ['process']),
      start('aggregator', ['aggregate']),
      start('notifier', ['notify']),
      start('web', ['web']),
    ]);
    events = followEvents(web.port);
    console.log(`cluster test: five roles running after ${elapsed()}`);
    const ingest = await start('ingest', ['ingest', '--source', `replay:${csv}`, '--speed', String(SPEED)]);

    // The partition BTC-USD's ticks go to, once the first have arrived there.
    const ticksTopic = config.topics.ticks;
    const busyPartition = async (atLeast: number) => {
      const offsets = await admin!.fetchTopicOffsets(ticksTopic);
      const busy = offsets.find((p) => Number(p.high) >= atLeast);
      if (!busy) throw new Error(`fewer than ${atLeast} ticks on ${ticksTopic} yet`);
      return busy.partition;
    };
    const partition = await waitUntil('a third of the ticks', () => busyPartition(TICKS / 3), 120_000);
    const metadata = await admin.fetchTopicMetadata({ topics: [ticksTopic] });
    const leaderId = metadata.topics[0]!.partitions.find((p) => p.partitionId === partition)!.leader;
    const leader = cluster.nodes.find((node) => node.id === leaderId)!;
    await leader.stop('SIGKILL');
    console.log(`cluster test: SIGKILLed broker ${leaderId}, leader of ${ticksTopic}[${partition}], after ${elapsed()}`);
    // The admin client may have been talking to the dead node: a fresh one on the survivors.
    await admin.disconnect();
    const survivors = cluster.nodes.filter((node) => node !== leader).map((node) => node.broker);
    admin = new kafkajs.Kafka({ clientId: 'cluster-test', brokers: survivors, logLevel: kafkajs.logLevel.NOTHING }).admin();
    await admin.connect();

    // Then the processor that owns the partition, once two thirds of the ticks are on the bus.
    await waitUntil('two thirds of the ticks', () => busyPartition((2 * TICKS) / 3), 120_000);
    const owner = await waitUntil(
      `the owner of ${ticksTopic}[${partition}]`,
      async () => {
        const group = (await admin!.describeGroups([PROCESS_GROUP])).groups[0]!;
        for (const member of group.members) {
          const assignment = kafkajs.AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
          if (assignment?.assignment[ticksTopic]?.includes(partition)) return member.clientId;
        }
        throw new Error(`no member of ${PROCESS_GROUP} owns it (group ${group.state})`);
      },
      60_000,
    );
    const victim = services.find((s) => s.name === owner)!;
    victim.service.child.kill('SIGKILL');
    console.log(`cluster test: SIGKILLed ${owner}, owner of ${ticksTopic}[${partition}], after ${elapsed()}`);

    assert.is(await ingest.service.exit, 0, `ingest: ${ingest.service.stderr().slice(-2000)}`);
    console.log(`cluster test: the replay is all on the bus after ${elapsed()}`);

    // The outcome equals the uninterrupted run's.
    reader = await KafkaBus.connect({ brokers: survivors, clientId: 'cluster-test-reader', logger: createLogger('silent') });
    const signals = watchTopic(reader, config.topics.signals);
    try {
      const expected = all.map((s) => s.id);
      await eventually(
        () => {
          const read = signals.received.map((message) => ({
            id: (JSON.parse(message.value) as { id: string }).id,
            offset: message.offset,
          }));
          const first = new Map<string, string>();
          const twice: string[] = [];
          for (const { id, offset } of read) {
            if (first.has(id)) twice.push(`${id} at offsets ${first.get(id)} and ${offset}`);
            else first.set(id, offset);
          }
          // One line that says what went wrong, not a diff of a thousand ids.
          assert.is(
            twice.length,
            0,
            `${twice.length} signal(s) twice on the topic (read_committed), first ${twice[0]}, last ${twice.at(-1)}`,
          );
          assert.equal(
            read.map((r) => r.id),
            expected,
            'the signals topic holds exactly the signals of the uninterrupted run, in order, once each',
          );
        },
        180_000,
        500,
      );
    } finally {
      await signals.stop();
    }
    const perDay = new Map<string, { ticks: number; volume: number }>();
    for (const tick of ticks) {
      const day = new Date(tick.ts).toISOString().slice(0, 10);
      const figures = perDay.get(day) ?? { ticks: 0, volume: 0 };
      perDay.set(day, { ticks: figures.ticks + 1, volume: figures.volume + tick.volume! });
    }
    await eventually(
      async () => {
        const stats = await cli(['stats', '--symbol', 'BTC-USD', '--days', '3650', '--json'], { REDIS_URL: redis!.url });
        assert.is(stats.code, 0, stats.stderr);
        const days = (
          JSON.parse(stats.stdout) as Array<{ day: string; ticks: number; volume: number; buys: number; sells: number }>
        ).filter((d) => d.ticks > 0);
        assert.equal(
          days.map((d) => [d.day, d.ticks]).sort(),
          [...perDay].map(([day, figures]) => [day, figures.ticks]).sort(),
          'every tick counted once, per day',
        );
        for (const day of days) assert.ok(Math.abs(day.volume - perDay.get(day.day)!.volume) < 1e-6, `${day.day}: volume`);
        assert.is(
          days.reduce((sum, d) => sum + d.buys, 0),
          recommendations.filter((s) => s.side === 'buy').length,
        );
        assert.is(
          days.reduce((sum, d) => sum + d.sells, 0),
          recommendations.filter((s) => s.side === 'sell').length,
        );
      },
      120_000,
      500,
    );
    const ids = recommendations.map((s) => s.id).sort();
    const hookIds = () => hooks!.requests.filter((r) => r.path === '/chat').flatMap((r) => signalIdsIn(r.body));
    await eventually(() => assert.equal([...new Set(hookIds())].sort(), ids, 'every recommendation by webhook'), 120_000, 500);
    // The web role, a process of its own, shows each notification once: what an open page received
    // (across its reconnections), and what the role counted.
    const shown = () =>
      [...events!.text().matchAll(/event: notification\ndata: (.*)\n/g)].map((m) => JSON.parse(m[1]!) as { id: string; body: string });
    await eventually(
      () =>
        assert.equal(
          shown()
            .flatMap((n) => signalIdsIn(n.body))
            .sort(),
          ids,
          'every recommendation on the dashboard',
        ),
      60_000,
      500,
    );
    assert.is(hookIds().length, ids.length, 'each recommendation once by webhook');
    assert.is(new Set(shown().map((n) => n.id)).size, shown().length, 'each notification once on the dashboard');
    assert.not.match(events.text(), /event: reset\n/, 'the page never had to start over');
    const metrics = await (await fetch(`http://127.0.0.1:${web.port}/metrics`)).text();
    // Every metric carries the role label too: {result="shown",role="web"}.
    const counted = (result: string) =>
      Number(new RegExp(`^stock_stream_web_notifications_total\\{[^}]*result="${result}"[^}]*\\} (\\S+)$`, 'm').exec(metrics)?.[1] ?? 0);
    assert.is(counted('shown'), shown().length, `the web role's count of notifications shown (repeats: ${counted('repeat')})`);
    const reconnections = events.text().split(': reconnecting').length - 1;
    console.log(
      `cluster test: ${ticks.length} ticks, ${all.length} signals, ${ids.length} notifications, each once, after ${elapsed()} (the page reconnected ${reconnections} time(s))`,
    );
    passed = true;
  } catch (error) {
    // What each process logged, for whoever reads the failure.
    const logs = mkdtempSync(join(tmpdir(), 'three-brokers-logs-'));
    for (const { name, service } of services) writeFileSync(join(logs, `${name}.log`), service.stderr());
    if (events) writeFileSync(join(logs, 'web-events.txt'), events.text());
    console.log(`cluster test: the roles' logs are in ${logs}, the brokers' in ${clusterDir}`);
    failed = true;
    throw error;
  } finally {
    events?.close();
    await reader?.close().catch(() => {});
    await admin?.disconnect().catch(() => {});
    await Promise.all(
      services.map(async ({ service }) => {
        if (service.child.exitCode === null && service.child.signalCode === null) service.child.kill('SIGTERM');
        await service.exit;
      }),
    );
    await hooks?.close();
    await redis?.stop();
    // A failure keeps the brokers' data and logs for a look; a pass leaves nothing behind.
    if (passed) rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
