// The result of checking an untrusted message: the clean value, or the first reason it is not one.

export type RecordCheck<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export function ok<T>(value: T): RecordCheck<T> {
  return { ok: true, value };
}

export function fail(reason: string): RecordCheck<never> {
  return { ok: false, reason };
}
