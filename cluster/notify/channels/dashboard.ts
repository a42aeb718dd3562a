// The dashboard channel: hands the notification to the in-process feed the dashboard serves as SSE.
import type { InProcessDashboardFeed } from '../../../platform/notification-feed.js';
import type { Channel, Outgoing } from './channel.js';

export class DashboardChannel implements Channel {
  readonly id = 'dashboard';

  constructor(
    private readonly feed: InProcessDashboardFeed,
    private readonly now: () => number = Date.now,
  ) {}

  async send(outgoing: Outgoing): Promise<string> {
    const fresh = this.feed.publish({
      id: outgoing.messageId,
      subscriber: outgoing.recipient.subscriber,
      title: outgoing.message.title,
      text: outgoing.message.text,
      ts: this.now(),
      signals: outgoing.notices.map(({ id, symbol, side, price, ts, rule, reason }) => ({ id, symbol, side, price, ts, rule, reason })),
    });
    return fresh ? 'published' : 'already shown';
  }
}
