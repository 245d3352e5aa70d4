// The outbox's mail channel: sends each message's stored rendering over SMTP (nodemailer). An SMTP
// 4xx reply or a connection problem is temporary (tried again on the retry schedule); a 5xx reply
// is permanent (failed at once). Without SMTP_URL nothing is sent: each mail is "kept" (marked
// delivered with that note) and read on the admin Outbox page.
import nodemailer from 'nodemailer';
import type { OutboxMessageRow } from '../db/outbox.ts';
import { singleLine } from '../domain/mail-render.ts';
import type { DeliveryOutcome, OutboxDeliverer } from './outbox-worker.ts';

export const KEPT_DETAIL = 'kept: SMTP_URL is not set, the mail was not sent (read it on the Outbox page)';

interface StoredMail {
  from: { name: string; address: string };
  subject: string;
  html: string;
  text: string;
}

interface SmtpError {
  message?: string;
  responseCode?: number;
  response?: string;
  code?: string;
}

export interface MailTransport {
  sendMail(mail: Record<string, unknown>): Promise<{ response?: string }>;
}

/** What the outbox makes of an SMTP failure: 5xx permanent, anything else (4xx, no answer) temporary. */
export function smtpFailure(error: unknown): Extract<DeliveryOutcome, { ok: false }> {
  const smtp = (error ?? {}) as SmtpError;
  const code = typeof smtp.responseCode === 'number' ? smtp.responseCode : undefined;
  const detail = singleLine(smtp.response ?? smtp.message ?? String(error)) || 'SMTP delivery failed';
  const prefixed = code || !smtp.code ? detail : `${smtp.code}: ${detail}`;
  return { ok: false, permanent: code !== undefined && code >= 500 && code < 600, ...(code ? { responseCode: code } : {}), detail: prefixed };
}

function replyCode(response: string | undefined): number | undefined {
  const match = /^(\d{3})/.exec(response ?? '');
  return match ? Number(match[1]) : undefined;
}

export function mailDeliverer(settings: { smtpUrl: string | undefined; mailFrom: { address: string } }, transport?: MailTransport): OutboxDeliverer {
  const smtpUrl = settings.smtpUrl;
  if (!smtpUrl && !transport) {
    return { channel: 'mail', deliver: async () => ({ ok: true, detail: KEPT_DETAIL }) };
  }
  // Timeouts well within the outbox lease: a hung server is a failed try, not a stuck message.
  const sender: MailTransport =
    transport ?? nodemailer.createTransport({ url: smtpUrl as string, connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 });
  const domain = settings.mailFrom.address.split('@')[1] ?? 'didhub.local';
  return {
    channel: 'mail',
    async deliver(message: OutboxMessageRow): Promise<DeliveryOutcome> {
      const mail = message.payload as unknown as StoredMail;
      try {
        const info = await sender.sendMail({
          from: { name: singleLine(mail.from.name), address: mail.from.address },
          to: message.recipient,
          subject: singleLine(mail.subject),
          html: mail.html,
          text: mail.text,
          // One Message-ID per outbox message: a retry after a lost "250 OK" is recognisable as the same mail.
          messageId: `<outbox-${message.id}@${domain}>`,
        });
        const code = replyCode(info.response);
        return { ok: true, ...(code ? { responseCode: code } : {}), detail: singleLine(info.response ?? 'sent') };
      } catch (error) {
        return smtpFailure(error);
      }
    },
  };
}
