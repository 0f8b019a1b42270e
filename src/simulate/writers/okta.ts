/**
 * @module simulate/writers/okta
 * Okta System Log events (the /api/v1/logs shape), one JSON object per line, one file per organisation and day.
 * A sign-in with MFA is the push sent (`system.push.send_factor_verify_push`), its approval
 * (`user.authentication.auth_via_mfa`) and the session (`user.session.start`); a denied push is
 * `user.mfa.okta_verify.deny_push`; an unanswered one is a push sent and nothing after. Legacy mail protocols come
 * through Okta as `user.authentication.auth_via_richclient`. A name that matches no account is an actor with id
 * "unknown". Token refreshes are not System Log sign-ins and are not written. The org is named by the sign-in
 * widget's origin (`https://<org>.okta.com`), which is the organisation's id in orgs.yaml.
 */
import { deviceOf, LEGACY_CLIENTS, Result, type SimEvent } from '../event.js';
import type { Address } from '../addresses.js';
import { COUNTRY_NAMES } from '../netblocks.js';
import type { Org, User } from '../population.js';
import type { Rng } from '../rng.js';
import { dayFile } from './files.js';
import { bytes, emailOf, FragmentCache, fragments, q, type Sink, type Writer } from './types.js';

const INTERFACE: Record<string, string> = { activesync: 'Exchange ActiveSync', imap: 'IMAP', smtp: 'SMTP', ropc: 'Other' };

function oktaBrowser(ua: string): { os: string; browser: string; device: string } {
  const d = deviceOf(ua);
  const os = d.os === 'Windows 10' ? 'Windows 10' : d.os === 'MacOs' ? 'Mac OS X' : d.os === 'Ios' ? 'iOS' : d.os === 'Android' ? 'Android' : 'Unknown';
  const b = d.browser.split(' ')[0];
  const browser = b === 'Chrome' ? 'CHROME' : b === 'Edge' ? 'EDGE_CHROMIUM' : b === 'Firefox' ? 'FIREFOX' : b === 'Safari' || b === 'Mobile' ? 'SAFARI' : 'UNKNOWN';
  return { os, browser, device: d.device };
}

/** The parts of a System Log event that depend only on its kind, prepared once. */
interface Kind {
  /** From displayMessage to `"published":"` */
  head: Buffer;
  /** From the end of published to the debug data's origin */
  debug: Buffer;
  /** Extra debug data, the legacy type and the start of the transaction */
  legacy: Buffer;
}

function kind(eventType: string, message: string, legacy: string | null, result: 'SUCCESS' | 'FAILURE', reason: string | null, factor = false): Kind {
  return {
    head: bytes(`"displayMessage":${q(message)},"eventType":"${eventType}","outcome":{"result":"${result}","reason":${reason ? q(reason) : 'null'}},"published":"`),
    debug: bytes(`","severity":"${result === 'SUCCESS' ? 'INFO' : 'WARN'}","debugContext":{"debugData":{"requestId":"`),
    legacy: bytes(`${factor ? ',"factor":"OKTA_VERIFY_PUSH"' : ''}}},"legacyEventType":${legacy ? q(legacy) : 'null'},"transaction":{"type":"WEB","id":"`),
  };
}

const KINDS = {
  pushSent: kind('system.push.send_factor_verify_push', 'Push notification sent for verification', null, 'SUCCESS', null, true),
  mfaOk: kind('user.authentication.auth_via_mfa', 'Authentication of user via MFA', 'core.user.factor.attempt_success', 'SUCCESS', null, true),
  pushDenied: kind('user.mfa.okta_verify.deny_push', 'User rejected Okta push verify', 'core.user.factor.attempt_fail', 'FAILURE', 'User rejected Okta push verify', true),
  sessionOk: kind('user.session.start', 'User login to Okta', 'core.user_auth.login_success', 'SUCCESS', null),
  badPassword: kind('user.session.start', 'User login to Okta', 'core.user_auth.login_failed', 'FAILURE', 'INVALID_CREDENTIALS'),
  unknownUser: kind('user.session.start', 'User login to Okta', 'core.user_auth.login_failed', 'FAILURE', 'VERIFICATION_ERROR'),
  locked: kind('user.session.start', 'User login to Okta', 'core.user_auth.account_locked', 'FAILURE', 'LOCKED_OUT'),
  richOk: kind('user.authentication.auth_via_richclient', 'Authentication of user via Rich Client', 'core.user_auth.login_success', 'SUCCESS', null),
  richBad: kind('user.authentication.auth_via_richclient', 'Authentication of user via Rich Client', 'core.user_auth.login_failed', 'FAILURE', 'INVALID_CREDENTIALS'),
  richUnknown: kind('user.authentication.auth_via_richclient', 'Authentication of user via Rich Client', 'core.user_auth.login_failed', 'FAILURE', 'VERIFICATION_ERROR'),
  richLocked: kind('user.authentication.auth_via_richclient', 'Authentication of user via Rich Client', 'core.user_auth.login_failed', 'FAILURE', 'LOCKED_OUT'),
};

const K = {
  context: bytes('"device":null,"authenticationContext":{"authenticationProvider":null,"credentialProvider":null,"credentialType":null,"issuer":null,"interface":'),
  session: bytes(',"authenticationStep":0,"externalSessionId":"'),
  afterSession: bytes('"},'),
  requestUri: bytes('","requestUri":"/api/v1/authn","url":"/api/v1/authn?",'),
  uuid: bytes('","detail":{}},"uuid":"'),
  close: bytes('","version":"0","target":null}'),
  nul: bytes('null'),
};

export function oktaWriter(): Writer {
  const actors = fragments<User>((u) => `{"actor":{"id":"${u.oktaId}","type":"User","alternateId":${q(u.upn)},"displayName":${q(u.displayName)},"detailEntry":null},`);
  const clients = new Map<string, FragmentCache<Address>>();
  const clientOf = (ua: string) => {
    let c = clients.get(ua);
    if (!c) {
      const b = oktaBrowser(ua);
      clients.set(
        ua,
        (c = fragments<Address>((a) => {
          const geo = `"geographicalContext":{"city":${q(a.net.city)},"state":${q(a.net.state)},"country":${q(COUNTRY_NAMES[a.net.country] ?? a.net.country)},"postalCode":null,"geolocation":{"lat":${a.net.lat},"lon":${a.net.lon}}}`;
          const proxy = a.net.kind === 'tor' || a.net.kind === 'vpn';
          return (
            `"client":{"userAgent":{"rawUserAgent":${q(ua)},"os":"${b.os}","browser":"${b.browser}"},"zone":"null","device":"${b.device}","id":null,"ipAddress":"${a.ip}",${geo}},` +
            `"request":{"ipChain":[{"ip":"${a.ip}",${geo},"version":"V4","source":null}]},` +
            `"securityContext":{"asNumber":${a.net.asn},"asOrg":${q(a.net.network.toLowerCase())},"isp":${q(a.net.network.toLowerCase())},"domain":null,"isProxy":${proxy}},`
          );
        })),
      );
    }
    return c;
  };
  const origins = fragments<Org>((o) => `"origin":"https://${o.slug}.okta.com"`);
  const interfaces = fragments<string>((client) => (INTERFACE[client] ? q(INTERFACE[client]) : 'null'));

  /** One System Log event. */
  function event(out: Sink, e: SimEvent, t: number, rng: Rng, k: Kind): void {
    out.record(t);
    if (e.user) out.raw(actors.get(e.user));
    else out.text(`{"actor":{"id":"unknown","type":"User","alternateId":${q(emailOf(e))},"displayName":"unknown","detailEntry":null},`);
    out.raw(clientOf(e.ua).get(e.src));
    out.raw(K.context);
    out.raw(interfaces.get(e.client));
    out.raw(K.session);
    out.text(rng.alnum(25));
    out.raw(K.afterSession);
    out.raw(k.head);
    out.isoMillis(t);
    out.raw(k.debug);
    const requestId = rng.alnum(27);
    out.text(requestId);
    out.raw(K.requestUri);
    out.raw(origins.get(e.org));
    out.raw(k.legacy);
    out.text(requestId);
    out.raw(K.uuid);
    out.uuid(rng);
    out.raw(K.close);
  }

  return {
    format: 'okta',
    frame: { head: '', sep: '\n', tail: '\n' },
    fileKey: (t) => Math.floor(t / 86_400_000),
    fileOf: (org, t) => dayFile(org, t, 'jsonl'),
    accountName: emailOf,
    notes: {},
    write(e, out, rng) {
      if (!e.interactive) return 0; // token refreshes are not System Log sign-ins
      const t = e.t;
      if (LEGACY_CLIENTS.has(e.client)) {
        const k = e.result === Result.Success ? KINDS.richOk : e.result === Result.Locked ? KINDS.richLocked : e.user ? KINDS.richBad : KINDS.richUnknown;
        event(out, e, t, rng, k);
        return 1;
      }
      switch (e.result) {
        case Result.Success:
          if (e.mfa) {
            event(out, e, t - 9000, rng, KINDS.pushSent);
            event(out, e, t - 3000, rng, KINDS.mfaOk);
          }
          event(out, e, t, rng, KINDS.sessionOk);
          return e.mfa ? 3 : 1;
        case Result.BadPassword:
          event(out, e, t, rng, KINDS.badPassword);
          return 1;
        case Result.UnknownUser:
          event(out, e, t, rng, KINDS.unknownUser);
          return 1;
        case Result.Locked:
          event(out, e, t, rng, KINDS.locked);
          return 1;
        case Result.MfaDenied:
          event(out, e, t - 5000, rng, KINDS.pushSent);
          event(out, e, t, rng, KINDS.pushDenied);
          return 2;
        default: // right password, push unanswered or MFA required: the push is all Okta writes
          event(out, e, t, rng, KINDS.pushSent);
          return 1;
      }
    },
  };
}
