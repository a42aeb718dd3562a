// Writing lines to stdout with back-pressure, and noticing when the reader went away (`| head`).
import type { Writable } from 'node:stream';

export class LineWriter {
  private broken = false;
  private wake: (() => void) | undefined;

  constructor(private readonly stream: Writable) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') this.broken = true;
      this.wake?.();
    });
    stream.on('drain', () => this.wake?.());
  }

  /** False once the reader has gone; callers stop producing then. */
  get open(): boolean {
    return !this.broken;
  }

  async line(text: string): Promise<void> {
    if (this.broken) return;
    if (this.stream.write(`${text}\n`) || this.broken) return;
    await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = undefined;
  }
}

/** Collects lines and writes them in large chunks: one write per line is too slow for millions of lines. */
export class BufferedLines {
  private lines: string[] = [];
  private chars = 0;
  private readonly writer: LineWriter;

  constructor(
    stream: Writable,
    private readonly chunkChars = 1 << 16,
  ) {
    this.writer = new LineWriter(stream);
  }

  push(line: string): void {
    this.lines.push(line);
    this.chars += line.length + 1;
  }

  async flushIfFull(): Promise<void> {
    if (this.chars >= this.chunkChars) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.lines.length === 0) return;
    const text = this.lines.join('\n');
    this.lines = [];
    this.chars = 0;
    await this.writer.line(text);
  }
}
