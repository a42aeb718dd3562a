// kafkajs (2.2.4, its last release) asks the cluster which broker is a transaction's coordinator
// (FindCoordinator) before every AddPartitionsToTxn and every EndTxn: two of a transaction's five
// round trips to the broker, where the Java client asks once and keeps the answer. This keeps the
// answer too, per kafkajs cluster (each producer has its own) and transactional id, for as long as:
// - the connection to that broker is up (a coordinator that dies takes its connection with it);
// - the cluster's metadata is not refreshed: kafkajs refreshes it after a retriable protocol error
//   such as NOT_COORDINATOR (the coordinator moved), and then asks again;
// a producer whose EndTxn fails is dropped by the bus, and its cluster and cache with it.
// Loaded once by platform/bus/kafka-bus.ts; it changes kafkajs' Cluster class in this process.
import { createRequire } from 'node:module';

interface KafkajsBroker {
  isConnected(): boolean;
}
interface ClusterClass {
  prototype: {
    findGroupCoordinator(args: { groupId: string; coordinatorType?: number }): Promise<KafkajsBroker>;
    refreshMetadata(): Promise<void>;
  };
}

const require = createRequire(import.meta.url);
const Cluster = require('kafkajs/src/cluster/index.js') as ClusterClass;
const { TRANSACTION } = require('kafkajs/src/protocol/coordinatorTypes.js') as { TRANSACTION: number };

/** Per kafkajs cluster: transactional id → its coordinator's broker. */
const known = new WeakMap<object, Map<string, KafkajsBroker>>();
const PATCHED = Symbol.for('stock-stream.kafkajs-coordinator-cache');

export function cacheTransactionCoordinators(): void {
  const prototype = Cluster.prototype as ClusterClass['prototype'] & { [PATCHED]?: true };
  if (prototype[PATCHED]) return;
  prototype[PATCHED] = true;
  const find = prototype.findGroupCoordinator;
  const refresh = prototype.refreshMetadata;
  prototype.findGroupCoordinator = async function (this: object, args) {
    if (args.coordinatorType !== TRANSACTION) return find.call(this, args);
    let coordinators = known.get(this);
    if (!coordinators) known.set(this, (coordinators = new Map()));
    const cached = coordinators.get(args.groupId);
    if (cached?.isConnected()) return cached;
    const broker = await find.call(this, args);
    coordinators.set(args.groupId, broker);
    return broker;
  };
  prototype.refreshMetadata = async function (this: object) {
    known.delete(this);
    return refresh.call(this);
  };
}
