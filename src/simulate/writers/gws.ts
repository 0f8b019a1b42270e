/**
 * @module simulate/writers/gws
 * Google Workspace login activities as the Admin SDK Reports API returns them (`activities.list`,
 * applicationName=login), one activity per line, one file per organisation and day: `login_success`,
 * `login_failure` (login_failure_invalid_password, login_failure_invalid_second_factor) and `login_challenge` for an
 * unanswered Google prompt. Google logs nothing for a name that matches no account in the domain, nor for token
 * refreshes, so those events are not written. The organisation's id is the Workspace customer id.
 */
import { Result } from '../event.js';
import type { User } from '../population.js';
import { dayFile } from './files.js';
import { bytes, fragments, q, type Writer } from './types.js';

const param = (name: string, value: string) => `{"name":"${name}","value":"${value}"}`;
const multi = (name: string, values: string[]) => `{"name":"${name}","multiValue":[${values.map((v) => `"${v}"`).join(',')}]}`;
const bool = (name: string, value: boolean) => `{"name":"${name}","boolValue":${value}}`;
const TYPE = param('login_type', 'google_password');

/** The event part of an activity: its name and parameters, from `"events":` to the end. */
const ev = (name: string, params: string[]) => bytes(`"events":[{"type":"login","name":"${name}","parameters":[${params.join(',')}]}]}`);
const EVENTS = {
  success: ev('login_success', [TYPE, multi('login_challenge_method', ['password']), bool('is_second_factor', false), bool('is_suspicious', false)]),
  successMfa: ev('login_success', [TYPE, multi('login_challenge_method', ['password', 'google_prompt']), bool('is_second_factor', true), bool('is_suspicious', false)]),
  badPassword: ev('login_failure', [TYPE, multi('login_challenge_method', ['password']), param('login_failure_type', 'login_failure_invalid_password'), bool('is_suspicious', false)]),
  denied: ev('login_failure', [TYPE, multi('login_challenge_method', ['password', 'google_prompt']), param('login_failure_type', 'login_failure_invalid_second_factor'), bool('is_suspicious', false)]),
  challenge: ev('login_challenge', [TYPE, param('login_challenge_method', 'google_prompt'), param('login_challenge_status', 'Challenge Failed')]),
};

const K = {
  open: bytes('{"kind":"admin#reports#activity","id":{"time":"'),
  qualifier: bytes('","uniqueQualifier":"'),
  etag: bytes('"},"etag":"\\"'),
  slash: bytes('/'),
  events: bytes('",'),
};

export function gwsWriter(): Writer {
  /** From the end of uniqueQualifier to the etag. */
  const apps = fragments<User>((u) => `","applicationName":"login","customerId":"${u.org.id}`);
  /** From the end of the etag to the ipAddress key. */
  const actors = fragments<User>((u) => `\\"","actor":{"email":${q(u.upn)},"profileId":"${u.googleId}"},"ipAddress":"`);
  return {
    format: 'gws',
    frame: { head: '', sep: '\n', tail: '\n' },
    fileKey: (t) => Math.floor(t / 86_400_000),
    fileOf: (org, t) => dayFile(org, t, 'jsonl'),
    accountName: (e) => (e.user ? e.user.upn : `${e.login}@${e.org.domain}`),
    notes: {
      password_spray: 'Google logs nothing for names that match no account: guessed names do not appear.',
      credential_stuffing: 'Google logs nothing for names that match no account: guessed names do not appear.',
      mfa_fatigue: 'Rendered as Google prompts: each denied prompt is a login_failure (login_failure_invalid_second_factor), each unanswered one a login_challenge (Challenge Failed).',
    },
    write(e, out, rng) {
      const u = e.user;
      if (!u || !e.interactive) return 0;
      let events: Buffer;
      switch (e.result) {
        case Result.Success:
          events = e.mfa ? EVENTS.successMfa : EVENTS.success;
          break;
        case Result.BadPassword:
        case Result.Locked: // Google does not lock accounts out; it keeps answering "wrong password"
          events = EVENTS.badPassword;
          break;
        case Result.MfaDenied:
          events = EVENTS.denied;
          break;
        default: // right password, second step not passed
          events = EVENTS.challenge;
      }
      out.record(e.t);
      out.raw(K.open);
      out.isoMillis(e.t);
      out.raw(K.qualifier);
      out.text(`${rng.chance(0.5) ? '-' : ''}${rng.range(1, 9)}${String(rng.int(1e9)).padStart(9, '0')}${String(rng.int(1e9)).padStart(9, '0')}`);
      out.raw(apps.get(u));
      out.raw(K.etag);
      out.text(rng.alnum(27));
      out.raw(K.slash);
      out.text(rng.alnum(27));
      out.raw(actors.get(u));
      out.text(e.src.ip);
      out.raw(K.events);
      out.raw(events);
      return 1;
    },
  };
}
