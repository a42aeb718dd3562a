// Email over SMTP through nodemailer: TLS from the start (secure) or STARTTLS (required or when
// offered), optional auth, a plain-text and an HTML body, a Message-ID stable across resends.
import nodemailer, { type Transporter } from 'nodemailer';
import type { Channel, Outgoing } from './channel.js';
import { DeliveryError } from './channel.js';

export interface EmailSettings {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  readonly starttls: 'required' | 'opportunistic' | 'off';
  readonly verifyCertificate: boolean;
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  readonly from: string;
  readonly timeoutMs: number;
}

/** nodemailer error codes raised before the message was handed over. */
const NOT_SENT = new Set(['ECONNECTION', 'EDNS', 'ETLS', 'EAUTH', 'ENOAUTH', 'EENVELOPE', 'EMESSAGE', 'EREQUIRETLS']);

export class EmailChannel implements Channel {
  readonly id = 'email';
  private readonly transport: Transporter;

  constructor(settings: EmailSettings) {
    this.transport = nodemailer.createTransport({
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      requireTLS: !settings.secure && settings.starttls === 'required',
      ignoreTLS: !settings.secure && settings.starttls === 'off',
      tls: { rejectUnauthorized: settings.verifyCertificate },
      ...(settings.user !== undefined ? { auth: { user: settings.user, pass: settings.password ?? '' } } : {}),
      connectionTimeout: settings.timeoutMs,
      greetingTimeout: settings.timeoutMs,
      socketTimeout: settings.timeoutMs,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    this.from = settings.from;
  }

  private readonly from: string;

  async send(outgoing: Outgoing): Promise<string> {
    const to = outgoing.recipient.email;
    if (to === undefined) throw new DeliveryError('permanent', `subscriber ${outgoing.recipient.subscriber} has no email address`);
    try {
      const info = (await this.transport.sendMail({
        from: this.from,
        to,
        subject: outgoing.message.title,
        text: outgoing.message.text,
        html: outgoing.message.html,
        messageId: `<${outgoing.messageId}@stock-stream>`,
        headers: { 'X-Stock-Stream-Signals': outgoing.notices.map((n) => n.id).join(' ') },
      })) as { response?: string; messageId?: string };
      return (info.response ?? info.messageId ?? 'accepted').slice(0, 120);
    } catch (error) {
      throw classify(error as Error & { code?: string; responseCode?: number; command?: string });
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

function classify(error: Error & { code?: string; responseCode?: number; command?: string }): DeliveryError {
  const detail = `${error.code ?? 'SMTP'}${error.responseCode ? ` ${error.responseCode}` : ''}: ${error.message.split('\n')[0]!.slice(0, 200)}`;
  // A refused login is a configuration problem the operator can fix: keep the message for then.
  if (error.code === 'EAUTH' || error.code === 'ENOAUTH') return new DeliveryError('retry', detail);
  if (error.responseCode !== undefined) return new DeliveryError(error.responseCode >= 500 ? 'permanent' : 'retry', detail);
  if (error.code !== undefined && NOT_SENT.has(error.code)) return new DeliveryError('retry', detail);
  if (error.command === 'CONN' || error.command === 'EHLO' || error.command === 'STARTTLS') return new DeliveryError('retry', detail);
  return new DeliveryError('ambiguous', detail);
}
