// HTTP delivery shared by the SMS and webhook channels: one request with a deadline, its outcome
// classified (2xx delivered; 429/408/5xx retried, honouring Retry-After; other 4xx refused; a
// timeout or a cut connection after sending in doubt).
import { DeliveryError } from './channel.js';

const MAX_RETRY_AFTER_MS = 24 * 3600_000;
const ERROR_BODY_CHARS = 200;

/** Retry-After as a delay in ms: delta-seconds or an HTTP-date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(text);
  if (!/[A-Za-z]/.test(text) || Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS);
}

/** Errors from fetch that mean the request never reached the server. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export async function deliverHttp(url: string, init: RequestInit, signal: AbortSignal, now: () => number = Date.now): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal, redirect: 'manual' });
  } catch (error) {
    if (signal.aborted) throw new DeliveryError('ambiguous', 'no answer before the timeout');
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const code = cause?.code ?? '';
    if (NOT_SENT.has(code)) throw new DeliveryError('retry', `cannot connect: ${code}`);
    throw new DeliveryError('ambiguous', `connection failed: ${code || cause?.message || (error as Error).message}`);
  }
  if (response.ok) return response;
  const body = (await response.text().catch(() => '')).slice(0, ERROR_BODY_CHARS).replace(/\s+/g, ' ');
  const status = `HTTP ${response.status}${body ? `: ${body}` : ''}`;
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'), now());
  if (response.status === 429 || response.status === 408 || response.status >= 500) throw new DeliveryError('retry', status, retryAfter);
  throw new DeliveryError('permanent', status);
}
