// The dashboard channel: publishes the notification on the notifications topic, which every web role
// reads (in this process or on another node) and shows once per id.
import { notificationRecord } from '../../../core/contracts/index.js';
import type { Bus } from '../../../platform/bus/bus.js';
import type { Channel, Outgoing } from './channel.js';

/** Where the dashboard channel publishes: the bus and the notifications topic. */
export interface NotificationTopic {
  readonly bus: Bus;
  readonly topic: string;
}

export class DashboardChannel implements Channel {
  readonly id = 'dashboard';

  constructor(
    private readonly target: NotificationTopic,
    private readonly now: () => number = Date.now,
  ) {}

  async send(outgoing: Outgoing): Promise<string> {
    const record = notificationRecord({
      id: outgoing.messageId,
      subscriber: outgoing.recipient.subscriber,
      title: outgoing.message.title,
      text: outgoing.message.text,
      ts: this.now(),
      signals: outgoing.notices.map(({ id, symbol, side, price, ts, rule, reason }) => ({ id, symbol, side, price, ts, rule, reason })),
    });
    // Keyed by subscriber: one subscriber's notifications stay in order. A resend after a crash
    // publishes the same id again; the dashboards drop it.
    await this.target.bus.publish(this.target.topic, [{ key: outgoing.recipient.subscriber, value: JSON.stringify(record) }]);
    return 'published';
  }
}
