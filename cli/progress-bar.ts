// A one-line progress bar for a terminal's stderr, redrawn at most five times a second.

export class ProgressBar {
  private last = Number.NEGATIVE_INFINITY;
  constructor(private readonly stream: NodeJS.WritableStream) {}

  show(fraction: number, detail: string): void {
    const now = performance.now();
    if (now - this.last < 200) return;
    this.last = now;
    const width = 30;
    const bounded = Math.max(0, Math.min(1, fraction));
    const filled = Math.round(bounded * width);
    this.stream.write(`\r\u001b[K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(bounded * 100).toFixed(0)} % ${detail}`);
  }

  clear(): void {
    this.stream.write('\r\u001b[K');
  }
}
