// Reads an indicator snapshot that may come from JSON, rejecting anything that would corrupt state.

export class SnapshotReader {
  private readonly record: Record<string, unknown>;

  constructor(
    private readonly indicator: string,
    snapshot: unknown,
  ) {
    if (typeof snapshot !== 'object' || snapshot === null) throw this.error('snapshot must be an object');
    this.record = snapshot as Record<string, unknown>;
    if (this.record['kind'] !== indicator) {
      throw this.error(`snapshot kind must be "${indicator}", got ${JSON.stringify(this.record['kind'])}`);
    }
  }

  number(key: string): number {
    const value = this.record[key];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw this.error(`${key} must be a finite number`);
    return value;
  }

  integer(key: string, min: number, max: number): number {
    const value = this.number(key);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw this.error(`${key} must be an integer from ${min} to ${max}, got ${value}`);
    }
    return value;
  }

  /** The snapshot must describe the same configuration as the indicator it is restored into. */
  same(key: string, expected: number): void {
    const value = this.number(key);
    if (value !== expected) throw this.error(`${key} is ${value} but this indicator has ${expected}`);
  }

  numbers(key: string, length: number): readonly number[] {
    const value = this.record[key];
    if (!Array.isArray(value) || value.length !== length) throw this.error(`${key} must be an array of ${length} numbers`);
    for (const item of value) {
      if (typeof item !== 'number' || !Number.isFinite(item)) throw this.error(`${key} must hold finite numbers only`);
    }
    return value as number[];
  }

  object(key: string): unknown {
    return this.record[key];
  }

  private error(message: string): Error {
    return new TypeError(`${this.indicator} snapshot: ${message}`);
  }
}
