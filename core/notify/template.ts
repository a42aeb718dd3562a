// Webhook templates: `{{field}}` placeholders filled with a message's values, each escaped first for
// the markup the receiver renders (Markdown, Slack mrkdwn, HTML) and then for the body's content
// type (a JSON string, a form field, a URL component), so a hostile reason cannot break out of either.
import { RAW_FIELDS } from '../indicators/indicator-set.js';

export const TEMPLATE_FIELDS = [
  'title',
  'text',
  'count',
  'subscriber',
  'id',
  'symbol',
  'side',
  'price',
  'rule',
  'reason',
  'timeframe',
  'time',
  'isoTime',
  ...RAW_FIELDS,
] as const;

export type TemplateField = (typeof TEMPLATE_FIELDS)[number];
export type TemplateValues = Readonly<Record<TemplateField, string>> & { readonly vars: Readonly<Record<string, string>> };
export type Markup = 'none' | 'markdown' | 'slack' | 'html';
export type Encoding = 'json' | 'form' | 'url' | 'none';

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Backslash before every character Markdown (Telegram MarkdownV2, Discord) gives a meaning; `@` defused with a zero-width joiner. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\_*[\]()~`>#+\-=|{}.!]/g, '\\$&').replace(/@/g, '@\u200b');
}

/** Slack mrkdwn: only &, < and > are control characters (links, mentions). */
export function escapeSlack(text: string): string {
  return text.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
}

export function encodingFor(contentType: string): Encoding {
  const type = contentType.toLowerCase();
  if (type.includes('json')) return 'json';
  if (type.includes('x-www-form-urlencoded')) return 'form';
  return 'none';
}

function markup(text: string, kind: Markup): string {
  switch (kind) {
    case 'none':
      return text;
    case 'markdown':
      return escapeMarkdown(text);
    case 'slack':
      return escapeSlack(text);
    case 'html':
      return escapeHtml(text);
  }
}

function encode(text: string, encoding: Encoding): string {
  switch (encoding) {
    case 'json':
      return JSON.stringify(text).slice(1, -1);
    case 'form':
    case 'url':
      return encodeURIComponent(text);
    case 'none':
      return text;
  }
}

export function render(template: string, values: TemplateValues, kind: Markup, encoding: Encoding): string {
  return template.replace(PLACEHOLDER, (_, field: string) => {
    const value = field.startsWith('vars.')
      ? (values.vars[field.slice(5)] ?? '')
      : ((values as unknown as Record<string, string>)[field] ?? '');
    return encode(markup(value, kind), encoding);
  });
}
