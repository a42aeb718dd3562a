// `stock-stream notify`: the notifier role (signals -> email, SMS, webhooks, dashboard), and
// `--test <channel>`, which sends one test message to each subscriber of that channel.
import { buildChannels, notifyRole } from '../../cluster/notify/role.js';
import { composeMessage } from '../../core/notify/message.js';
import type { Notice } from '../../core/notify/notice.js';
import type { Channel } from '../../cluster/notify/channels/channel.js';
import { openBus } from '../../platform/bus/select.js';
import { UsageError, type Command, type CommandContext } from '../command.js';
import { runRole } from '../role-runner.js';

export const notifyCommand: Command = {
  name: 'notify',
  description:
    'Consumes the signals topic as the consumer group notify.group and, for each recommendation and\n' +
    'alert (crossings are not notified) and every subscriber in notify.subscribers whose symbols and\n' +
    'sides match, records one entry per (signal id, subscriber,\n' +
    'channel) in the ledger (Redis when REDIS_URL is set, else <dataDir>/notifications.sqlite) before\n' +
    'committing, so replays and restarts never queue a signal twice. Entries are sent per subscriber\n' +
    'and channel, outside quiet hours, at most one message per minIntervalSeconds (what arrives in\n' +
    "between becomes one digest), within each channel's rate limit; failures are retried with backoff\n" +
    '(429 Retry-After honoured). A send cut short by a crash is resent or left in-doubt per the\n' +
    "channel's inDoubt policy. Serves /healthz and /metrics on PORT. See docs/notifications.md.\n" +
    'With --test CHANNEL it sends one test message to each subscriber of that channel and exits.',
  positionals: [],
  options: {
    test: {
      type: 'string',
      value: 'CHANNEL',
      description: 'send a test message on email, sms, dashboard or webhook:<name>, then exit (0 when every send worked)',
    },
    subscriber: { type: 'string', value: 'NAME', description: 'with --test: only this subscriber' },
  },
  examples: [
    'SMTP_PASSWORD_FILE=/run/secrets/smtp stock-stream notify --config notify.yaml',
    'stock-stream notify --test email',
    'stock-stream notify --test webhook:ntfy --subscriber alice',
  ],
  run: (context) => {
    const test = context.options.test;
    if (test !== undefined) {
      if (typeof test !== 'string' || test === '') throw new UsageError('--test needs a channel: email, sms, dashboard or webhook:<name>');
      return sendTest(context, test);
    }
    if (context.options.subscriber !== undefined) throw new UsageError('--subscriber goes with --test');
    // Its dashboard channel publishes on topics.notifications, which every web role reads.
    return runRole(context, notifyRole(context.env));
  },
};

async function sendTest(context: CommandContext, channelId: string): Promise<number> {
  const config = context.config();
  if (!/^(email|sms|dashboard|webhook:[A-Za-z0-9._-]{1,64})$/.test(channelId))
    throw new UsageError(`--test: unknown channel "${channelId}": email, sms, dashboard or webhook:<name>`);
  const only = context.options.subscriber as string | undefined;
  const subscribers = config.notify.subscribers.filter(
    (sub) => sub.channels.includes(channelId) && (only === undefined || sub.name === only),
  );
  if (subscribers.length === 0)
    throw new UsageError(`no subscriber${only !== undefined ? ` named ${only}` : ''} uses ${channelId} in notify.subscribers`);
  // Only the dashboard channel needs the bus: its test notification goes where the notifier's would.
  const bus = channelId === 'dashboard' ? await openBus(config, context.logger()) : undefined;
  const dashboard = bus ? { bus, topic: config.topics.notifications } : undefined;
  let channel: Channel;
  try {
    if (bus) await bus.ensureTopics([{ name: config.topics.notifications }]);
    channel = buildChannels(config, context.env, dashboard, channelId).get(channelId)!.channel;
  } catch (error) {
    await bus?.close();
    throw error;
  }
  const now = Date.now();
  const notice: Notice = {
    id: `test-${now}`,
    symbol: config.symbols[0]!,
    ts: now,
    side: 'buy',
    rule: 'test',
    price: 12345.67,
    reason: 'a test message from stock-stream notify --test; no signal was produced',
    kind: 'recommendation',
    timeframe: config.strategy.timeframe,
    indicators: {
      sma: null,
      ema: null,
      rsi: 50,
      macd: null,
      macdSignal: null,
      macdHist: null,
      bbUpper: null,
      bbMiddle: null,
      bbLower: null,
    },
  };
  let failures = 0;
  try {
    for (const sub of subscribers) {
      const message = composeMessage([notice], { subscriber: sub.name, timeZone: sub.timeZone, vars: sub.vars });
      try {
        const receipt = await channel.send(
          {
            message,
            notices: [notice],
            messageId: `ss-test-${now}-${sub.name}`,
            recipient: { subscriber: sub.name, email: sub.email, phone: sub.phone, vars: sub.vars },
          },
          AbortSignal.timeout(config.notify.timeoutSeconds * 1000),
        );
        context.stdout.write(`${channelId} -> ${sub.name}: sent (${receipt})\n`);
      } catch (error) {
        failures++;
        context.stdout.write(`${channelId} -> ${sub.name}: FAILED (${(error as Error).message})\n`);
      }
    }
  } finally {
    await channel.close?.();
    await bus?.close();
  }
  return failures === 0 ? 0 : 1;
}
