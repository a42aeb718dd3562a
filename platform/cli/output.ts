// Writing lines to stdout with back-pressure, and noticing when the reader went away (`| head`).
import { once } from 'node:events';
import type { Writable } from 'node:stream';

export class LineWriter {
  private broken = false;

  constructor(private readonly stream: Writable) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') this.broken = true;
    });
  }

  /** False once the reader has gone; callers stop producing then. */
  get open(): boolean {
    return !this.broken;
  }

  async line(text: string): Promise<void> {
    if (this.broken) return;
    if (!this.stream.write(`${text}\n`)) await Promise.race([once(this.stream, 'drain'), once(this.stream, 'error')]);
  }
}
