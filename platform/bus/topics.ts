// Topic names as the user types them: a configured role name (ticks, signals, ...) or a literal name.
import type { Config } from '../config/schema.js';

export type TopicRole = keyof Config['topics'];

const LITERAL = /^[A-Za-z0-9._-]{1,249}$/;

/** `ticks` -> the configured ticks topic; `stock.ticks` stays as it is. Undefined when not a valid name. */
export function resolveTopic(config: Config, name: string): string | undefined {
  if (Object.hasOwn(config.topics, name)) return config.topics[name as TopicRole];
  return LITERAL.test(name) ? name : undefined;
}
