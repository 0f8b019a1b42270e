/**
 * @module notify/message
 * One rendered notification as an RFC 5322 message (nodemailer's MailComposer): multipart/alternative with the
 * plain text first and the HTML second, `Content-Language`, a Message-ID that is fixed when the notification is
 * prepared (so a resend after a crash is recognisably the same message), and for a follow-up `In-Reply-To` and
 * `References` to the earlier warning so mail programs thread them.
 */
import MailComposer from 'nodemailer/lib/mail-composer';
import type { Rendered } from './render.js';

export interface Address {
  name?: string;
  address: string;
}

export interface MessageInput {
  rendered: Rendered;
  from: Address;
  replyTo?: string;
  to: Address[];
  messageId: string;
  date: Date;
  inReplyTo?: string;
  notificationUid: string;
  reference: string;
}

/** A Message-ID for a notification's message to one audience; the domain is the sender's. */
export function messageIdFor(notificationUid: string, audience: string, fromAddress: string): string {
  const domain = fromAddress.split('@')[1]?.replace(/[^A-Za-z0-9.-]/g, '') || 'vigil.invalid';
  return `<${notificationUid}.${audience.replace(/[^A-Za-z0-9-]/g, '-')}@${domain}>`;
}

export async function buildMessage(m: MessageInput): Promise<string> {
  const composer = new MailComposer({
    from: m.from,
    to: m.to.length ? m.to : undefined,
    replyTo: m.replyTo,
    subject: m.rendered.subject,
    text: m.rendered.text,
    html: m.rendered.html,
    messageId: m.messageId,
    date: m.date,
    inReplyTo: m.inReplyTo,
    references: m.inReplyTo ? [m.inReplyTo] : undefined,
    headers: {
      'Content-Language': m.rendered.language,
      // An automatic message: vacation responders and the like should not answer it (RFC 3834).
      'Auto-Submitted': 'auto-generated',
      'X-Vigil-Reference': m.reference,
      'X-Vigil-Notification': m.notificationUid,
    },
  });
  const buf = await composer.compile().build();
  // RFC 5322 lines end in CRLF; the composer keeps the bare LF of the text part as it was given.
  return buf.toString('utf8').replace(/\r?\n/g, '\r\n');
}
