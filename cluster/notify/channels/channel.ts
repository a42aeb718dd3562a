// What every notification channel is: send one message (a signal or a digest) to one subscriber,
// and say how a failure should be treated: tried again, given up, or in doubt (it may have arrived).
import type { Message } from '../../../core/notify/message.js';
import type { Notice } from '../../../core/notify/notice.js';

export interface Recipient {
  readonly subscriber: string;
  readonly email?: string | undefined;
  readonly phone?: string | undefined;
  readonly vars: Readonly<Record<string, string>>;
}

export interface Outgoing {
  readonly message: Message;
  readonly recipient: Recipient;
  readonly notices: readonly Notice[];
  /** Stable across resends of the same message: the email Message-ID, the HTTP Idempotency-Key. */
  readonly messageId: string;
}

export interface Channel {
  /** email, sms, dashboard or webhook:<name>. */
  readonly id: string;
  /** Resolves with a short receipt (the provider's message id) once the channel accepted it. */
  send(outgoing: Outgoing, signal: AbortSignal): Promise<string>;
  close?(): Promise<void>;
}

/**
 * retry: not delivered, try again later. permanent: not delivered and never will be (a refused
 * address). ambiguous: the request may have been delivered (a timeout or a cut connection after it
 * was sent); the channel's inDoubt policy decides.
 */
export type FailureKind = 'retry' | 'permanent' | 'ambiguous';

export class DeliveryError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    /** The provider asked to wait this long (429/503 Retry-After); applies to the whole channel. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}
