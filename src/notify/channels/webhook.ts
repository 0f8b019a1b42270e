/**
 * @module notify/channels/webhook
 * POSTs a notification's JSON body to an organisation's webhook, signed (notify/signature) and only to a
 * destination the guard allows (notify/destination-guard): https unless `allow_http`, public addresses unless
 * `allow_private`, connecting to the very address that was checked. Redirects are not followed (they could lead
 * anywhere). 2xx is delivered; 408, 425, 429 and 5xx are worth retrying (honouring Retry-After); other answers
 * are final.
 */
import http from 'node:http';
import https from 'node:https';
import { checkDestination, DestinationRefused, type Lookup, type ResolvedAddress } from '../destination-guard.js';
import { DELIVERY_HEADER, SIGNATURE_HEADER, signBody, TIMESTAMP_HEADER } from '../signature.js';

export interface WebhookSendOptions {
  url: string;
  body: string;
  secret: string;
  allowPrivate: boolean;
  allowHttp: boolean;
  deliveryId: string;
  attempt: number;
  userAgent: string;
  beforeCommit: () => void;
  timeoutMs?: number;
  lookup?: Lookup;
  now?: () => number;
}

export class WebhookSendError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly inDoubt: boolean,
    /** From Retry-After, when the receiver said when to come back. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

const RETRYABLE = new Set([408, 425, 429]);

export async function postWebhook(o: WebhookSendOptions): Promise<{ status: number }> {
  let url: URL;
  try {
    url = new URL(o.url);
  } catch {
    throw new WebhookSendError(`not a URL: ${o.url}`, true, false);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && o.allowHttp)) {
    throw new WebhookSendError(`refused ${url.origin}: ${url.protocol === 'http:' ? 'plain http (set allow_http: true on this webhook to allow it)' : `scheme ${url.protocol}`}`, true, false);
  }
  if (url.username || url.password) throw new WebhookSendError(`refused ${url.origin}: credentials in the URL (use the signature)`, true, false);
  let addresses: ResolvedAddress[];
  try {
    addresses = await checkDestination(url, o.allowPrivate, o.lookup);
  } catch (e) {
    // A refused destination is a setting to change, not a moment to wait out.
    if (e instanceof DestinationRefused) throw new WebhookSendError(e.message, !/cannot resolve/.test(e.message), false);
    throw e;
  }
  const address = addresses[0];
  const timestamp = Math.floor((o.now ?? Date.now)() / 1000);
  const headers = {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(o.body)),
    'User-Agent': o.userAgent,
    [TIMESTAMP_HEADER]: String(timestamp),
    [SIGNATURE_HEADER]: signBody(o.secret, timestamp, o.body),
    [DELIVERY_HEADER]: o.deliveryId,
    'Vigil-Attempt': String(o.attempt),
  };
  o.beforeCommit();
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (e: WebhookSendError) => {
      if (!settled) reject(e);
      settled = true;
    };
    const req = mod.request(
      {
        protocol: url.protocol,
        hostname: host,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers,
        agent: false,
        timeout: o.timeoutMs ?? 30_000,
        servername: /^[\d.]+$|:/.test(host) ? undefined : host,
        // Connect to the address that was checked, never to a second DNS answer.
        lookup: ((_h: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) =>
          opts?.all ? cb(null, [{ address: address.address, family: address.family }]) : cb(null, address.address, address.family)) as never,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        let answer = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          if (answer.length < 300) answer += c;
        });
        res.on('error', () => undefined);
        res.on('end', () => {
          if (settled) return;
          if (status >= 200 && status < 300) {
            settled = true;
            resolve({ status });
            return;
          }
          const said = answer.trim() ? `: ${answer.trim().replace(/\s+/g, ' ').slice(0, 200)}` : '';
          if (status >= 300 && status < 400) return fail(new WebhookSendError(`HTTP ${status} redirect to ${res.headers.location ?? '?'} not followed`, true, false));
          if (status >= 500 || RETRYABLE.has(status)) return fail(new WebhookSendError(`HTTP ${status}${said}`, false, false, retryAfter(res.headers['retry-after'])));
          fail(new WebhookSendError(`HTTP ${status}${said}`, true, false));
        });
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${Math.round((o.timeoutMs ?? 30_000) / 1000)} s`), { code: 'ETIMEDOUT' })));
    // Once the request may have reached the receiver, a lost answer leaves the delivery in doubt.
    let written = false;
    req.on('finish', () => (written = true));
    req.on('error', (e: NodeJS.ErrnoException) => fail(new WebhookSendError(`${e.code ? `${e.code}: ` : ''}${e.message}`, false, written)));
    req.end(o.body);
  });
}

function retryAfter(v: string | string[] | undefined): number | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (!s) return undefined;
  if (/^\d+$/.test(s.trim())) return Number(s.trim()) * 1000;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : Math.max(0, t - Date.now());
}
