// The embedded log places keys exactly as Kafka does (murmur2), so moving to a cluster keeps key order.
import { createRequire } from 'node:module';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { murmur2, partitionForKey } from '../../platform/bus/partitioner.js';

const require = createRequire(import.meta.url);
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: string) => number;

test("matches the vectors of Kafka's own UtilsTest.testMurmur2", () => {
  // org.apache.kafka.common.utils.UtilsTest#testMurmur2 (apache/kafka, clients module).
  const vectors: Array<[string, number]> = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ];
  for (const [key, expected] of vectors) assert.is(murmur2(key), expected, key);
});

test("agrees with kafkajs's Java-compatible partitioner on many keys, multi-byte ones included", () => {
  let seed = 7;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  for (let i = 0; i < 2000; i++) {
    const length = next() % 40;
    const key = Array.from({ length }, () => String.fromCodePoint(32 + (next() % (i % 3 === 0 ? 0x2ff : 95)))).join('');
    assert.is(partitionForKey(key, 7), (kafkajsMurmur2(key) & 0x7fffffff) % 7, JSON.stringify(key));
  }
});

test.run();
