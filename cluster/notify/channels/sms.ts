// SMS through Twilio's Messages API shape: POST <baseUrl>/2010-04-01/Accounts/<sid>/Messages.json,
// form-encoded To, From, Body, with HTTP basic auth (account SID, auth token).
import type { Channel, Outgoing } from './channel.js';
import { DeliveryError } from './channel.js';
import { deliverHttp } from './http.js';

export interface SmsSettings {
  readonly baseUrl: string;
  readonly accountSid: string;
  readonly authToken: string;
  readonly from: string;
}

export class SmsChannel implements Channel {
  readonly id = 'sms';
  private readonly url: string;
  private readonly authorization: string;

  constructor(private readonly settings: SmsSettings) {
    this.url = `${settings.baseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(settings.accountSid)}/Messages.json`;
    this.authorization = `Basic ${Buffer.from(`${settings.accountSid}:${settings.authToken}`).toString('base64')}`;
  }

  async send(outgoing: Outgoing, signal: AbortSignal): Promise<string> {
    const to = outgoing.recipient.phone;
    if (to === undefined) throw new DeliveryError('permanent', `subscriber ${outgoing.recipient.subscriber} has no phone number`);
    const body = new URLSearchParams({ To: to, From: this.settings.from, Body: outgoing.message.sms });
    const response = await deliverHttp(
      this.url,
      {
        method: 'POST',
        headers: {
          authorization: this.authorization,
          'content-type': 'application/x-www-form-urlencoded',
          'i-twilio-idempotency-token': outgoing.messageId,
        },
        body: body.toString(),
      },
      signal,
    );
    const answer = (await response.json().catch(() => ({}))) as { sid?: unknown };
    return typeof answer.sid === 'string' ? answer.sid.slice(0, 64) : `HTTP ${response.status}`;
  }
}
