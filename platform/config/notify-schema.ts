// The `notify` section of the configuration: subscribers, their channels and the channels' settings
// (docs/notifications.md). Kept beside schema.ts so that the shared file holds one line for it.
import { z } from 'zod';
import { SYMBOL_PATTERN } from '../../core/contracts/index.js';
import { NOTIFIED_KINDS, type NotifiedKind } from '../../core/notify/routing.js';
import { TEMPLATE_FIELDS } from '../../core/notify/template.js';

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour time like 07:30');
const name = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, ".", "_" or "-"');
const httpUrl = z.string().regex(/^https?:\/\/\S+$/, 'must be a URL starting with http:// or https://');
const perMinute = z.number().min(0.01).max(100_000);
/** What happens to a message whose sending began but whose outcome was never recorded (a crash). */
const inDoubt = z.enum(['resend', 'skip']);

const timeZone = z.string().refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat('en-GB', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be an IANA time zone like Europe/Berlin' },
);

const TEMPLATE_PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
/** A template whose placeholders are all known fields or `vars.<name>`. */
const template = z
  .string()
  .max(20_000)
  .superRefine((text, context) => {
    for (const match of text.matchAll(TEMPLATE_PLACEHOLDER)) {
      const field = match[1]!;
      if (!(TEMPLATE_FIELDS as readonly string[]).includes(field) && !/^vars\.[A-Za-z0-9_]{1,64}$/.test(field)) {
        context.addIssue({
          code: 'custom',
          message: `unknown placeholder {{${field}}}; known: ${TEMPLATE_FIELDS.join(', ')}, vars.<name>`,
        });
        return;
      }
    }
  });

const webhook = z
  .object({
    /** May hold ${NOTIFY_...} references to environment variables (tokens in the URL, as Telegram's). */
    url: httpUrl,
    method: z.enum(['POST', 'PUT', 'GET']).default('POST'),
    /** Header values may hold ${NOTIFY_...} references too (Gotify's X-Gotify-Key, a bearer token). */
    headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a header name'), z.string().max(4096)).default({}),
    contentType: z.string().min(1).max(200).default('application/json'),
    /** The body; each {{placeholder}} is escaped for the content type (JSON string, form field, text). */
    body: template.default('{"title":"{{title}}","text":"{{text}}"}'),
    /** How placeholder values are escaped before the content type's own escaping. */
    escape: z.enum(['none', 'markdown', 'slack', 'html']).default('none'),
    ratePerMinute: perMinute.default(30),
    inDoubt: inDoubt.default('resend'),
  })
  .strict();

const subscriber = z
  .object({
    name,
    /** email, sms, dashboard, or webhook:<name> of notify.webhooks. */
    channels: z
      .array(z.string().regex(/^(email|sms|dashboard|webhook:[A-Za-z0-9._-]{1,64})$/, 'must be email, sms, dashboard or webhook:<name>'))
      .min(1),
    email: z
      .string()
      .regex(/^[^\s@<>"]{1,200}@[^\s@<>"]{1,200}$/, 'must be an email address')
      .optional(),
    /** E.164, like +4915112345678. */
    phone: z
      .string()
      .regex(/^\+[1-9]\d{5,14}$/, 'must be a phone number in E.164 form, like +4915112345678')
      .optional(),
    /** Empty: every symbol. */
    symbols: z.array(z.string().regex(SYMBOL_PATTERN, 'must look like BTC-USD')).default([]),
    sides: z
      .array(z.enum(['buy', 'sell']))
      .min(1)
      .default(['buy', 'sell']),
    /** Recommendations, alerts or both (crossings reach nobody). */
    kinds: z
      .array(z.enum(NOTIFIED_KINDS as [NotifiedKind, ...NotifiedKind[]]))
      .min(1, 'must list recommendation, alert or both')
      .default([...NOTIFIED_KINDS]),
    /** Which of the configured `alerts` by name, or all; checked against them where the whole config is. */
    alerts: z
      .union([z.literal('all'), z.array(name).min(1, 'must name at least one alert, or be all (kinds: [recommendation] takes none)')], {
        error: 'must be all or a list of alert names',
      })
      .default('all'),
    timeZone: timeZone.default('UTC'),
    /** Between these local times email, SMS and webhooks wait (hold) or are dropped (drop); the dashboard is not held. */
    quietHours: z
      .object({ start: clockTime, end: clockTime, action: z.enum(['hold', 'drop']).default('hold') })
      .strict()
      .optional(),
    /** At most one message per channel this often; what arrives in between goes out as one digest. */
    minIntervalSeconds: z.number().min(0).max(86_400).default(60),
    /** A first signal waits this long for others to join it in one message. */
    coalesceSeconds: z.number().min(0).max(3600).default(2),
    /** Values for {{vars.<name>}} in webhook templates (a Telegram chat id, an ntfy topic). */
    vars: z.record(z.string().regex(/^[A-Za-z0-9_]{1,64}$/), z.string().max(1000)).default({}),
  })
  .strict()
  .superRefine((value, context) => {
    if (value.channels.includes('email') && value.email === undefined)
      context.addIssue({ code: 'custom', message: 'needs an email address for the email channel', path: ['email'] });
    if (value.channels.includes('sms') && value.phone === undefined)
      context.addIssue({ code: 'custom', message: 'needs a phone number for the sms channel', path: ['phone'] });
    if (value.alerts !== 'all' && !value.kinds.includes('alert'))
      context.addIssue({ code: 'custom', message: 'names alerts, but kinds leaves alerts out', path: ['alerts'] });
  });

export const notifySchema = z
  .object({
    /** Consumer group of the notifiers (signals topic). */
    group: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,200}$/, 'must be letters, digits, ".", "_" or "-"')
      .default('stock-stream-notifier'),
    /** Redis keys of the ledger start with `<keyPrefix>:notify:`. */
    keyPrefix: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, ".", "_" or "-"')
      .default('stock'),
    /** Delivered and failed entries are kept (the log and the dedupe record) this long; keep it above the bus retention. */
    keepDays: z.number().min(1).max(3650).default(30),
    /** One send (SMTP exchange, HTTP request) gives up after this long and is retried. */
    timeoutSeconds: z.number().min(0.1).max(300).default(15),
    retry: z
      .object({
        initialSeconds: z.number().min(0.01).max(3600).default(5),
        maxSeconds: z.number().min(0.01).max(86_400).default(900),
        /** After this many failed attempts the message is given up (state failed). */
        maxAttempts: z.number().int().min(1).max(1000).default(10),
      })
      .strict()
      .prefault({}),
    /** Messages waiting (new or to retry) at most; past it the oldest are dropped, counted and logged. */
    maxQueued: z.number().int().min(10).max(10_000_000).default(10_000),
    /** Signals in one digest at most; more go in the next message. */
    maxDigest: z.number().int().min(1).max(1000).default(20),
    email: z
      .object({
        host: z.string().min(1).optional(),
        port: z.number().int().min(1).max(65535).default(587),
        /** true: TLS from the first byte (port 465). */
        secure: z.boolean().default(false),
        /** Without secure: required refuses a server that does not offer STARTTLS; opportunistic uses it when offered. */
        starttls: z.enum(['required', 'opportunistic', 'off']).default('required'),
        /** false accepts a self-signed server certificate. */
        verifyCertificate: z.boolean().default(true),
        user: z.string().min(1).optional(),
        /** Secret: only from SMTP_PASSWORD or SMTP_PASSWORD_FILE. */
        password: z.string().min(1).optional(),
        from: z.string().min(3).default('Stock Stream <stock-stream@localhost>'),
        ratePerMinute: perMinute.default(30),
        inDoubt: inDoubt.default('resend'),
      })
      .strict()
      .prefault({}),
    sms: z
      .object({
        /** Twilio's API root; another provider speaking the same Messages API shape, or a test server. */
        baseUrl: httpUrl.default('https://api.twilio.com'),
        accountSid: z
          .string()
          .regex(/^[A-Za-z0-9]{1,64}$/, 'must be letters and digits')
          .optional(),
        /** Secret: only from SMS_AUTH_TOKEN or SMS_AUTH_TOKEN_FILE. */
        authToken: z.string().min(1).optional(),
        from: z
          .string()
          .regex(
            /^(\+[1-9]\d{5,14}|[A-Za-z0-9 ]{1,11}|MG[0-9a-fA-F]{32})$/,
            'must be an E.164 number, an alphanumeric sender id or a messaging service SID',
          )
          .optional(),
        ratePerMinute: perMinute.default(10),
        /** An SMS costs money and cannot be recalled: one that may have gone is not sent again. */
        inDoubt: inDoubt.default('skip'),
      })
      .strict()
      .prefault({}),
    webhooks: z.record(name, webhook).default({}),
    dashboard: z
      .object({
        /** Notification ids each dashboard remembers, to show a notification published twice once. */
        keep: z.number().int().min(1).max(10_000).default(100),
      })
      .strict()
      .prefault({}),
    subscribers: z.array(subscriber).default([]),
  })
  .strict()
  .superRefine((notify, context) => {
    const names = new Set<string>();
    notify.subscribers.forEach((sub, i) => {
      if (names.has(sub.name))
        context.addIssue({ code: 'custom', message: `subscriber ${sub.name} is listed twice`, path: ['subscribers', i, 'name'] });
      names.add(sub.name);
      sub.channels.forEach((channel, j) => {
        if (channel.startsWith('webhook:') && !Object.hasOwn(notify.webhooks, channel.slice('webhook:'.length))) {
          context.addIssue({
            code: 'custom',
            message: `no webhook named ${channel.slice('webhook:'.length)} in notify.webhooks`,
            path: ['subscribers', i, 'channels', j],
          });
        }
      });
    });
  })
  .prefault({});
