// Checks rule state read back from JSON, with errors that say which field is wrong.

export function stateRecord(value: unknown, at: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw stateError(at, 'must be an object');
  return value as Record<string, unknown>;
}

export function stateArray(value: unknown, at: string, length: number): unknown[] {
  if (!Array.isArray(value) || value.length !== length) throw stateError(at, `must be an array of ${length}`);
  return value as unknown[];
}

export function stateBoolean(value: unknown, at: string): boolean {
  if (typeof value !== 'boolean') throw stateError(at, 'must be true or false');
  return value;
}

export function stateNumber(value: unknown, at: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw stateError(at, 'must be a finite number');
  return value;
}

export function stateString(value: unknown, at: string): string {
  if (typeof value !== 'string') throw stateError(at, 'must be a string');
  return value;
}

export function stateError(at: string, message: string): TypeError {
  return new TypeError(`rule state ${at}: ${message}`);
}
