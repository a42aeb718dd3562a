// A generic templated webhook (ntfy, Gotify, Discord, Slack, Telegram bots, anything HTTP): the URL,
// headers and body are templates; ${NOTIFY_...} references are filled from the environment once at
// start-up (so tokens stay out of the config file), {{placeholders}} from each message, escaped.
import { encodingFor, render, type Markup } from '../../../core/notify/template.js';
import type { Channel, Outgoing } from './channel.js';
import { deliverHttp } from './http.js';

export interface WebhookSettings {
  readonly url: string;
  readonly method: 'POST' | 'PUT' | 'GET';
  readonly headers: Readonly<Record<string, string>>;
  readonly contentType: string;
  readonly body: string;
  readonly escape: Markup;
}

const ENV_REFERENCE = /\$\{([A-Za-z0-9_]+)\}/g;

/** Fills ${NAME} from the environment (NAME or NAME_FILE's content); only NOTIFY_* names are allowed. */
export function resolveEnvReferences(
  text: string,
  where: string,
  env: Readonly<Record<string, string | undefined>>,
  readFile: (path: string) => string,
): string {
  return text.replace(ENV_REFERENCE, (_, variable: string) => {
    if (!variable.startsWith('NOTIFY_')) throw new Error(`${where}: \${${variable}}: only variables named NOTIFY_* may be referenced`);
    const direct = env[variable];
    const file = env[`${variable}_FILE`];
    if (direct !== undefined && direct !== '') return direct;
    if (file !== undefined && file !== '') return readFile(file).replace(/\r?\n$/, '');
    throw new Error(`${where}: \${${variable}} is not set: set ${variable} or ${variable}_FILE`);
  });
}

export class WebhookChannel implements Channel {
  constructor(
    readonly id: string,
    private readonly settings: WebhookSettings,
  ) {}

  async send(outgoing: Outgoing, signal: AbortSignal): Promise<string> {
    const { settings } = this;
    const values = outgoing.message.values;
    const url = render(settings.url, values, 'none', 'url');
    const headers: Record<string, string> = { 'idempotency-key': outgoing.messageId };
    for (const [name, value] of Object.entries(settings.headers))
      headers[name.toLowerCase()] = render(value, values, 'none', 'none').replace(/[\r\n]/g, ' ');
    const init: RequestInit = { method: settings.method, headers };
    if (settings.method !== 'GET') {
      headers['content-type'] = settings.contentType;
      init.body = render(settings.body, values, settings.escape, encodingFor(settings.contentType));
    }
    const response = await deliverHttp(url, init, signal);
    await response.body?.cancel().catch(() => {});
    return `HTTP ${response.status}`;
  }
}
