// The message bus contract shared by the Kafka adapter and the embedded SQLite log.

/** A message to publish. The key picks the partition, so one key's messages stay in order. */
export interface OutgoingMessage {
  readonly key: string | null;
  readonly value: string;
  /** Epoch ms; the bus stamps the publish time when absent. */
  readonly timestamp?: number;
  /** Overrides the key's partition (a changelog written beside its input partition). */
  readonly partition?: number;
}

export interface BusMessage {
  readonly topic: string;
  readonly partition: number;
  /** Position in the partition, as a decimal string (Kafka offsets are 64-bit). */
  readonly offset: string;
  readonly key: string | null;
  readonly value: string;
  readonly timestamp: number;
}

/**
 * Where a consumer starts.
 * - committed: after the group's last commit; where the group has none, from the earliest message.
 * - earliest / latest: ignore and overwrite the group's commits.
 */
export type StartFrom = 'committed' | 'earliest' | 'latest';

/** What a handler may do besides reading its batch. */
export interface BatchContext {
  /**
   * Publishes with the batch's commit: the messages become visible when the batch is committed and
   * never when it is not. With `transactional`, publish and commit are one atomic step, so a crash
   * at any point neither loses nor duplicates them (exactly once). Without it, they are published
   * just before the commit (at least once).
   */
  publish(topic: string, messages: readonly OutgoingMessage[]): void;
  /**
   * True when this batch directly follows a batch of the same partition that this subscription
   * delivered and committed, with no rebalance, restart or failed attempt between them: what the
   * handler kept in memory from that batch is still what was committed. False on the first batch
   * after an assignment, a rebalance (even one that gave the partition back) or a failed attempt
   * (the handler threw, or the bus could not commit): state kept in memory may then be stale or
   * ahead of what was committed, and must be reloaded from what was.
   */
  readonly followsCommitted: boolean;
}

export interface ConsumeOptions {
  readonly topics: readonly string[];
  /** Consumer group. Without one, nothing is committed and `from` must be earliest or latest. */
  readonly group?: string;
  readonly from?: StartFrom;
  /**
   * Called with consecutive messages of one partition, in order. The batch is committed for the group
   * only after the returned promise resolves; if it rejects, the batch is delivered again (at least once).
   */
  readonly handler: (batch: readonly BusMessage[], context: BatchContext) => Promise<void>;
  /**
   * Exactly-once outputs (needs a group): each batch's outputs commit as one atomic step, in order,
   * or not at all. Before the handler first sees a partition, any earlier owner's unfinished batch on
   * it is finished (committed or rolled back) and that owner can no longer commit.
   */
  readonly transactional?: boolean;
  /**
   * With `transactional`, when the group's position is committed:
   * - 'with-outputs' (default): in the same atomic step as the outputs, so a batch delivered again
   *   was never committed.
   * - 'after-outputs': afterwards, lazily (at most about once a second). After a crash or a
   *   rebalance, input whose outputs were already committed may be delivered again, and the handler
   *   must recognise it from what it published (the processor keeps the next input offset in its
   *   state snapshot). On Kafka this takes two round trips off every batch. The embedded log always
   *   commits both together, which also satisfies this contract.
   */
  readonly commitPosition?: 'with-outputs' | 'after-outputs';
}

export interface Subscription {
  /** Stops fetching, waits for the batch in hand to finish and commit. */
  stop(): Promise<void>;
}

export interface TopicSpec {
  readonly name: string;
  readonly partitions?: number;
  /** Keep only the latest message per key (a changelog), as Kafka's cleanup.policy=compact. */
  readonly compact?: boolean;
}

export interface BusHealth {
  readonly kind: 'kafka' | 'embedded';
  readonly ok: boolean;
  readonly detail: string;
}

export interface Bus {
  readonly kind: 'kafka' | 'embedded';
  /** The names of the project's topics that exist (internal ones left out). */
  listTopics(): Promise<string[]>;
  /** Partitions of a topic, or undefined when it does not exist. */
  partitionCount(topic: string): Promise<number | undefined>;
  /** The group's committed position (next offset to read) per partition; partitions without one are absent. */
  committedOffsets(group: string, topic: string): Promise<Map<number, string>>;
  /** Creates missing topics; existing ones are left as they are. */
  ensureTopics(topics: readonly TopicSpec[]): Promise<void>;
  /** Resolves once every message is durable (Kafka: acknowledged by all in-sync replicas). */
  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
  consume(options: ConsumeOptions): Promise<Subscription>;
  health(): BusHealth;
  close(): Promise<void>;
}

export class BusError extends Error {
  constructor(
    readonly code: 'ERR_BUS_UNREACHABLE' | 'ERR_BUS_AUTH' | 'ERR_BUS_USAGE' | 'ERR_BUS_CLOSED' | 'ERR_BUS_TOO_LARGE',
    message: string,
  ) {
    super(message);
    this.name = 'BusError';
  }
}
