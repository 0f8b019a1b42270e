/**
 * @module notify/channels/smtp
 * Sends one stored message over SMTP with nodemailer's SMTP connection, exactly as stored (same Message-ID on
 * every attempt). The message body is fed through a stream that calls `beforeCommit` just before it ends, that
 * is, before nodemailer writes the final "." that lets the server accept the message: up to that point a failure
 * or a crash means the server discarded the message; after it, the server may have accepted it (RFC 1047), and
 * the caller records the delivery as in doubt.
 */
import { hostname } from 'node:os';
import { Readable } from 'node:stream';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { SmtpSettings } from '../../orgs/organisations.js';

export interface SmtpSendResult {
  response: string;
  accepted: string[];
  rejected: string[];
}

export class SmtpSendError extends Error {
  constructor(
    message: string,
    /** The server refused for good (5xx), or the settings cannot work: retrying will not help. */
    readonly permanent: boolean,
    /** The failure came after the final "." was on its way: the server may have accepted the message. */
    readonly inDoubt: boolean,
  ) {
    super(message);
  }
}

export interface SmtpSendOptions {
  settings: SmtpSettings;
  from: string;
  to: string[];
  eml: string;
  /** Called (synchronously) right before the end of the message is written; a throw aborts the send. */
  beforeCommit: () => void;
  timeoutMs?: number;
}

/** A stream of the message that runs `beforeEnd` when the consumer asks for more after the whole message. */
function bodyStream(eml: string, beforeEnd: () => void): Readable {
  let pushed = false;
  return new Readable({
    read() {
      if (!pushed) {
        pushed = true;
        this.push(eml);
        return;
      }
      try {
        beforeEnd();
      } catch (e) {
        this.destroy(e as Error);
        return;
      }
      this.push(null);
    },
  });
}

export async function sendSmtp(o: SmtpSendOptions): Promise<SmtpSendResult> {
  const s = o.settings;
  const timeout = o.timeoutMs ?? 60_000;
  const conn = new SMTPConnection({
    host: s.host,
    port: s.port,
    secure: s.secure,
    requireTLS: !s.secure && s.starttls === 'required',
    ignoreTLS: !s.secure && s.starttls === 'off',
    opportunisticTLS: s.starttls === 'opportunistic',
    tls: { rejectUnauthorized: s.tls_verify, minVersion: 'TLSv1.2' },
    name: hostname(),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    allowInternalNetworkInterfaces: true,
  });
  let committing = false;
  // The connection reports socket failures as events, not always through the pending callback.
  const broken = new Promise<never>((_, reject) => {
    conn.on('error', (e: Error) => reject(e));
    conn.on('end', () => reject(Object.assign(new Error('the SMTP server closed the connection'), { code: 'ECONNECTION' })));
  });
  broken.catch(() => undefined);
  const step = <T>(run: (done: (err: Error | null, value?: T) => void) => void): Promise<T> =>
    Promise.race([new Promise<T>((resolve, reject) => run((err, value) => (err ? reject(err) : resolve(value as T)))), broken]);
  try {
    await step<void>((done) => conn.connect((err?: Error | null) => done(err ?? null)));
    if (s.user) await step<void>((done) => conn.login({ user: s.user, pass: s.password ?? '' }, (err: Error | null) => done(err)));
    const body = bodyStream(o.eml, () => {
      o.beforeCommit();
      committing = true;
    });
    const info = await step<any>((done) => conn.send({ from: o.from, to: o.to }, body, (err: Error | null, info: unknown) => done(err, info)));
    try {
      conn.quit();
    } catch {
      /* the message is accepted; a failing QUIT changes nothing */
    }
    return {
      response: String(info?.response ?? ''),
      accepted: (info?.accepted ?? []).map(String),
      rejected: (info?.rejected ?? []).map(String),
    };
  } catch (e) {
    conn.close();
    const err = e as Error & { responseCode?: number; code?: string; response?: string };
    const code = err.responseCode;
    const reply = err.response ? `: ${String(err.response).trim()}` : '';
    const what = `${err.message.replace(/\s+/g, ' ').trim()}${reply && !err.message.includes(String(err.response)) ? reply : ''}`;
    // A reply from the server is definitive whether or not the message was complete; silence after the final
    // "." is not (the server may have taken the message and the answer been lost).
    const definitive = typeof code === 'number' && code >= 400;
    const permanent = (definitive && code! >= 500) || err.code === 'EAUTH' || err.code === 'ETLS' || err.code === 'EENVELOPE' && definitive && code! >= 500;
    throw new SmtpSendError(what, permanent, committing && !definitive);
  }
}
