/**
 * @module simulate/writers/sshd
 * OpenSSH server logs as syslog writes them (RFC 3164: "Aug 24 08:01:02 host sshd[pid]: ..."), with the pam_unix
 * lines OpenSSH's PAM stack adds, one file per organisation (its bastion host) and day; clocks in UTC. An attempt is
 * one connection with its own pid: "Invalid user" / "Failed password" / "Accepted password" and the pam_unix twins;
 * a lock-out is pam_faillock's line; a second factor is keyboard-interactive through PAM after a "Partial password"
 * (as with a push-MFA PAM module such as Duo). People's phones and token refreshes do not use SSH and are not
 * written, except a stale client's failures (read: a script with an old password). The organisation's id is the
 * host name in the syslog header.
 */
import { Result, type SimEvent } from '../event.js';
import type { Rng } from '../rng.js';
import { dayFile } from './files.js';
import type { Sink, Writer } from './types.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => (n < 10 ? '0' : '') + n;

let cachedDay = NaN;
let cachedPrefix = '';

/** "Aug  4 08:01:02" (the date part cached: stamps come in time order). */
function stamp(t: number): string {
  const day = Math.floor(t / 86_400_000);
  if (day !== cachedDay) {
    const d = new Date(day * 86_400_000);
    const date = d.getUTCDate();
    cachedDay = day;
    cachedPrefix = `${MONTHS[d.getUTCMonth()]} ${date < 10 ? ' ' : ''}${date} `;
  }
  const s = Math.floor((t - day * 86_400_000) / 1000);
  return `${cachedPrefix}${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`;
}

export function sshdWriter(): Writer {
  const nameOf = (e: SimEvent) => (e.user ? e.user.unix : e.login);
  return {
    format: 'sshd',
    frame: { head: '', sep: '\n', tail: '\n' },
    fileKey: (t) => Math.floor(t / 86_400_000),
    fileOf: (org, t) => dayFile(org, t, 'log'),
    accountName: nameOf,
    notes: {
      mfa_fatigue: 'sshd has no push events: each denied or unanswered push is a failed keyboard-interactive/pam after a "Partial password" (a push-MFA PAM module), the approval an accepted one.',
      impossible_travel: 'sshd logs carry no location: the distance is only in the addresses.',
    },
    write(e: SimEvent, out: Sink, rng: Rng): number {
      const ok = e.result === Result.Success;
      if (!e.interactive || (ok && e.attack < 0 && (e.client === 'mobile_app' || e.client === 'activesync' || e.client === 'imap'))) return 0;
      const head = `${e.org.host} sshd[${rng.range(1000, 65000)}]: `;
      const at = stamp(e.t);
      const later = stamp(e.t + 2000);
      const ip = e.src.ip;
      const port = rng.range(32768, 60999);
      const user = nameOf(e);
      const from = `from ${ip} port ${port} ssh2`;
      const lines: string[] = [];
      const line = (time: string, text: string) => lines.push(`${time} ${head}${text}`);
      const authFailure = `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}`;
      switch (e.result) {
        case Result.Success:
          if (e.mfa) {
            line(at, `Partial password for ${user} ${from}`);
            line(later, `Accepted keyboard-interactive/pam for ${user} ${from}`);
          } else line(at, `Accepted password for ${user} ${from}`);
          line(e.mfa ? later : at, `pam_unix(sshd:session): session opened for user ${user} by (uid=0)`);
          break;
        case Result.UnknownUser:
          line(at, `Invalid user ${user} from ${ip} port ${port}`);
          line(at, 'pam_unix(sshd:auth): check pass; user unknown');
          line(at, authFailure);
          line(later, `Failed password for invalid user ${user} ${from}`);
          break;
        case Result.BadPassword:
          line(at, `${authFailure}  user=${user}`);
          line(later, `Failed password for ${user} ${from}`);
          break;
        case Result.Locked:
          line(at, `pam_faillock(sshd:auth): Consecutive login failures for user ${user} account temporarily locked`);
          line(later, `Failed password for ${user} ${from}`);
          break;
        default: {
          // Right password, then the second factor (a push PAM module) fails: denied, unanswered, or not
          // answerable by an attacker's tool that has only the password.
          const wait = e.result === Result.MfaDenied ? 9000 : e.result === Result.MfaTimeout ? 60_000 : 30_000;
          line(at, `Partial password for ${user} ${from}`);
          line(stamp(e.t + wait), `Failed keyboard-interactive/pam for ${user} ${from}`);
        }
      }
      out.record(e.t);
      out.text(lines.join('\n'));
      return 1;
    },
  };
}
