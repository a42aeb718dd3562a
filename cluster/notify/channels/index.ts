// Builds the channels the configuration uses, each with its flood and crash-window settings;
// a channel a subscriber names but the configuration cannot support is a one-line start-up error.
import { readFileSync } from 'node:fs';
import type { Config } from '../../../platform/config/schema.js';
import type { Channel } from './channel.js';
import { DashboardChannel, type NotificationTopic } from './dashboard.js';
import { EmailChannel } from './email.js';
import { SmsChannel } from './sms.js';
import { resolveEnvReferences, WebhookChannel } from './webhook.js';

export interface ChannelPolicy {
  /** 0: unlimited. */
  readonly ratePerMinute: number;
  readonly inDoubt: 'resend' | 'skip';
  /** Quiet hours, minimum interval and coalescing apply (not to the dashboard, which makes no sound). */
  readonly held: boolean;
}

export interface ConfiguredChannel {
  readonly channel: Channel;
  readonly policy: ChannelPolicy;
}

export type NotifyConfig = Config['notify'];

export class ChannelConfigError extends Error {
  readonly code = 'ERR_CONFIG';
}

export function usedChannels(notify: NotifyConfig): string[] {
  return [...new Set(notify.subscribers.flatMap((sub) => sub.channels))].sort();
}

export function buildChannel(
  id: string,
  notify: NotifyConfig,
  /** Where the dashboard channel publishes; only that channel needs it. */
  dashboard: NotificationTopic | undefined,
  env: Readonly<Record<string, string | undefined>>,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): ConfiguredChannel {
  const timeoutMs = notify.timeoutSeconds * 1000;
  if (id === 'email') {
    const email = notify.email;
    if (email.host === undefined) throw new ChannelConfigError('notify.email.host: must be set to use the email channel (or SMTP_HOST)');
    if (email.password !== undefined && email.user === undefined)
      throw new ChannelConfigError('notify.email.user: must be set with SMTP_PASSWORD (or SMTP_USER)');
    return {
      channel: new EmailChannel({ ...email, host: email.host, timeoutMs }),
      policy: { ratePerMinute: email.ratePerMinute, inDoubt: email.inDoubt, held: true },
    };
  }
  if (id === 'sms') {
    const sms = notify.sms;
    if (sms.accountSid === undefined)
      throw new ChannelConfigError('notify.sms.accountSid: must be set to use the sms channel (or SMS_ACCOUNT_SID)');
    if (sms.authToken === undefined)
      throw new ChannelConfigError('notify.sms.authToken: must be set to use the sms channel: set SMS_AUTH_TOKEN or SMS_AUTH_TOKEN_FILE');
    if (sms.from === undefined) throw new ChannelConfigError('notify.sms.from: must be set to use the sms channel');
    return {
      channel: new SmsChannel({ baseUrl: sms.baseUrl, accountSid: sms.accountSid, authToken: sms.authToken, from: sms.from }),
      policy: { ratePerMinute: sms.ratePerMinute, inDoubt: sms.inDoubt, held: true },
    };
  }
  if (id === 'dashboard') {
    if (dashboard === undefined) throw new Error('the dashboard channel needs the bus and the notifications topic');
    return { channel: new DashboardChannel(dashboard), policy: { ratePerMinute: 0, inDoubt: 'resend', held: false } };
  }
  if (id.startsWith('webhook:')) {
    const name = id.slice('webhook:'.length);
    const hook = notify.webhooks[name];
    if (hook === undefined) throw new ChannelConfigError(`notify.webhooks.${name}: no such webhook`);
    let url: string;
    const headers: Record<string, string> = {};
    try {
      url = resolveEnvReferences(hook.url, `notify.webhooks.${name}.url`, env, readFile);
      for (const [header, value] of Object.entries(hook.headers))
        headers[header] = resolveEnvReferences(value, `notify.webhooks.${name}.headers.${header}`, env, readFile);
    } catch (error) {
      throw new ChannelConfigError((error as Error).message);
    }
    return {
      channel: new WebhookChannel(id, {
        url,
        method: hook.method,
        headers,
        contentType: hook.contentType,
        body: hook.body,
        escape: hook.escape,
      }),
      policy: { ratePerMinute: hook.ratePerMinute, inDoubt: hook.inDoubt, held: true },
    };
  }
  throw new ChannelConfigError(`unknown channel ${id}: must be email, sms, dashboard or webhook:<name>`);
}
