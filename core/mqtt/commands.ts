// Commands that arrive over MQTT (mute, unmute, acknowledge, brightness), checked before they reach
// the alert state machine or the display: size first, then JSON, the shared token when one is
// configured, then the command and its fields. Anything else is refused with a reason, never thrown.

export type EdgeCommand =
  | { readonly type: 'mute' }
  | { readonly type: 'unmute' }
  | { readonly type: 'acknowledge' }
  | { readonly type: 'brightness'; readonly percent: number };

export type CommandRefusal = 'oversized' | 'malformed' | 'unauthorised' | 'unknown';

export type CommandCheck =
  { readonly ok: true; readonly command: EdgeCommand } | { readonly ok: false; readonly code: CommandRefusal; readonly reason: string };

/** Larger payloads are refused before parsing: no command needs more. */
export const MAX_COMMAND_BYTES = 1024;

const COMMANDS = ['mute', 'unmute', 'acknowledge', 'brightness'] as const;

const refuse = (code: CommandRefusal, reason: string): CommandCheck => ({ ok: false, code, reason });

/**
 * `text` is the payload decoded as UTF-8, `bytes` its length on the wire. Payloads look like
 * `{"command":"mute"}` or `{"command":"brightness","value":40}`, plus `"token":"..."` when a token is set.
 */
export function parseCommand(text: string, bytes: number, token: string | undefined): CommandCheck {
  if (bytes > MAX_COMMAND_BYTES) return refuse('oversized', `payload of ${bytes} bytes, over ${MAX_COMMAND_BYTES}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return refuse('malformed', 'not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return refuse('malformed', 'not a JSON object');
  const record = value as Record<string, unknown>;
  if (token !== undefined) {
    const given = record.token;
    if (typeof given !== 'string' || !sameSecret(given, token)) return refuse('unauthorised', 'missing or wrong token');
  }
  const name = record.command;
  if (typeof name !== 'string') return refuse('malformed', 'command: must be a string');
  if (!(COMMANDS as readonly string[]).includes(name))
    return refuse('unknown', `command: unknown "${name.slice(0, 40)}"; known: ${COMMANDS.join(', ')}`);
  const allowed = name === 'brightness' ? ['command', 'value', 'token'] : ['command', 'token'];
  const extra = Object.keys(record).find((key) => !allowed.includes(key));
  if (extra !== undefined) return refuse('malformed', `unknown field "${extra.slice(0, 40)}"`);
  if (name === 'brightness') {
    const percent = record.value;
    if (typeof percent !== 'number' || !Number.isFinite(percent) || percent < 0 || percent > 100) {
      return refuse('malformed', 'value: must be a number from 0 to 100 (percent)');
    }
    return { ok: true, command: { type: 'brightness', percent } };
  }
  return { ok: true, command: { type: name as 'mute' | 'unmute' | 'acknowledge' } };
}

/** The Home Assistant entities that send commands: the mute switch, the brightness number, the acknowledge button. */
export type EntityCommandSource = 'mute' | 'brightness' | 'acknowledge';

/** Payloads of the entities' command topics (no JSON, no token: the broker's ACL protects them). */
export const ENTITY_PAYLOADS = { mute: { on: 'ON', off: 'OFF' }, press: 'PRESS' } as const;

/** A command from one of the entities: `ON`/`OFF` for mute, a percent for brightness, `PRESS` for acknowledge. */
export function parseEntityCommand(source: EntityCommandSource, text: string, bytes: number): CommandCheck {
  if (bytes > 32) return refuse('oversized', `payload of ${bytes} bytes, over 32`);
  const value = text.trim();
  if (source === 'mute') {
    if (value === ENTITY_PAYLOADS.mute.on) return { ok: true, command: { type: 'mute' } };
    if (value === ENTITY_PAYLOADS.mute.off) return { ok: true, command: { type: 'unmute' } };
    return refuse('malformed', `mute: must be ${ENTITY_PAYLOADS.mute.on} or ${ENTITY_PAYLOADS.mute.off}`);
  }
  if (source === 'acknowledge') {
    if (value === ENTITY_PAYLOADS.press) return { ok: true, command: { type: 'acknowledge' } };
    return refuse('malformed', `acknowledge: must be ${ENTITY_PAYLOADS.press}`);
  }
  // Plain decimals only: Number() would also take "0x10", "1e1" and " ".
  const percent = /^\d{1,3}(\.\d{1,6})?$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isFinite(percent) || percent < 0 || percent > 100) return refuse('malformed', 'brightness: must be a number from 0 to 100');
  return { ok: true, command: { type: 'brightness', percent } };
}

/** Compares every character whatever the first difference, so the time taken does not tell how much of a guess was right. */
export function sameSecret(given: string, expected: string): boolean {
  let difference = given.length ^ expected.length;
  for (let i = 0; i < expected.length; i++) difference |= (given.charCodeAt(i) || 0) ^ expected.charCodeAt(i);
  return difference === 0;
}

/** How often a refused command is answered at most, per topic: a flood of bad commands gets one answer. */
export const REFUSAL_ANSWER_INTERVAL_MS = 10_000;

/**
 * Decides which refused commands get an answer: at most one per interval per topic, so whoever
 * floods the command topic cannot make the edge flood the broker (or its log) in return. The time
 * comes in as an argument.
 */
export class RefusalAnswers {
  private readonly topics = new Map<string, { answeredAt: number; skipped: number }>();

  constructor(private readonly intervalMs: number = REFUSAL_ANSWER_INTERVAL_MS) {}

  /** `answer` false: stay silent (it is counted). True: answer, and `skipped` refusals went unanswered before this one. */
  take(topic: string, now: number): { readonly answer: boolean; readonly skipped: number } {
    const entry = this.topics.get(topic);
    if (entry !== undefined && now - entry.answeredAt < this.intervalMs) {
      entry.skipped++;
      return { answer: false, skipped: entry.skipped };
    }
    this.topics.set(topic, { answeredAt: now, skipped: 0 });
    return { answer: true, skipped: entry?.skipped ?? 0 };
  }
}
