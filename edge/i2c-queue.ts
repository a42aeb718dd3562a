// The I2C writes of the display, off the event loop. oled-i2c-bus writes synchronously (one blocking
// ioctl per 2-byte command); handed this queue as its "bus", its writes are copied into a queue and
// sent in order through i2c-bus's asynchronous i2cWrite (libuv's thread pool). Runs of single
// commands are merged into one transaction (one control byte 0x00, then the commands), which the
// SSD1306 accepts and which cuts the bus traffic of a frame several times.
import type { I2CBus } from 'i2c-bus';
import { SSD1306 } from './ssd1306.js';

/** The part of an i2c-bus Bus the queue sends with. */
export type AsyncI2cBus = Pick<I2CBus, 'i2cWrite'>;

export interface I2cQueueStats {
  transactions: number;
  bytes: number;
  errors: number;
}

export class I2cWriteQueue {
  private readonly queue: Array<{ address: number; bytes: Buffer }> = [];
  private sending: Promise<void> | undefined;
  private readonly idleWaiters: Array<() => void> = [];
  private readonly writeWaiters: Array<{ test: (bytes: Buffer) => boolean; resolve: () => void }> = [];
  readonly stats: I2cQueueStats = { transactions: 0, bytes: 0, errors: 0 };
  lastError: Error | undefined;

  constructor(private readonly bus: AsyncI2cBus) {}

  /** For oled-i2c-bus: queues a copy and returns at once, as if written. */
  i2cWriteSync(address: number, length: number, buffer: Buffer): number {
    const bytes = Buffer.from(buffer.subarray(0, length));
    this.enqueue(address, bytes);
    return length;
  }

  /**
   * For oled-i2c-bus's busy check, which reads a status byte (and then ignores it). The SSD1306 on I2C
   * is never busy at these rates, and a blocking read would stall the loop: report ready.
   */
  i2cReadSync(_address: number, length: number, buffer: Buffer): number {
    buffer.fill(0, 0, length);
    return length;
  }

  commands(address: number, commands: readonly number[]): void {
    this.enqueue(address, Buffer.from([SSD1306.CONTROL_COMMANDS, ...commands]));
  }

  data(address: number, bytes: Uint8Array): void {
    const buffer = Buffer.allocUnsafe(bytes.length + 1);
    buffer[0] = SSD1306.CONTROL_DATA;
    buffer.set(bytes, 1);
    this.enqueue(address, buffer);
  }

  /** Resolves when a write matching `test` is queued (oled-i2c-bus's update() writes on a timer). */
  nextWrite(test: (bytes: Buffer) => boolean): Promise<void> {
    return new Promise((resolve) => this.writeWaiters.push({ test, resolve }));
  }

  /** Resolves when everything queued so far has been sent (or failed). */
  idle(): Promise<void> {
    if (!this.sending && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private enqueue(address: number, bytes: Buffer): void {
    const last = this.queue[this.queue.length - 1];
    // Merge [0x00, c] writes into the previous command transaction to the same device.
    if (last && last.address === address && isCommands(last.bytes) && isCommands(bytes) && last.bytes.length < 32) {
      last.bytes = Buffer.concat([last.bytes, bytes.subarray(1)]);
    } else {
      this.queue.push({ address, bytes });
    }
    for (const waiter of this.writeWaiters.splice(0)) {
      if (waiter.test(bytes)) waiter.resolve();
      else this.writeWaiters.push(waiter);
    }
    this.sending ??= this.drain();
  }

  private async drain(): Promise<void> {
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        const { address, bytes } = next;
        try {
          await new Promise<void>((resolve, reject) =>
            this.bus.i2cWrite(address, bytes.length, bytes, (error) => (error ? reject(error) : resolve())),
          );
          this.stats.transactions++;
          this.stats.bytes += bytes.length;
          this.lastError = undefined;
        } catch (error) {
          // A loose cable or a missing display: the frame is lost, the next one is tried afresh.
          this.stats.errors++;
          this.lastError = error as Error;
        }
      }
    } finally {
      this.sending = undefined;
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }
}

function isCommands(bytes: Buffer): boolean {
  return bytes[0] === SSD1306.CONTROL_COMMANDS;
}
