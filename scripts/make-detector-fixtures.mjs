#!/usr/bin/env node
// Writes the detector fixture folders (src/detect/fixtures/<case>/events.jsonl) from the small scenario scripts
// below. The expected findings (expected.json) are written by hand from each scenario's intent, not from the code.
// Run again after changing a scenario: node scripts/make-detector-fixtures.mjs
import { mkdirSync, writeFileSync } from 'node:fs';

let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const T0 = Date.UTC(2020, 7, 24, 0, 0, 0); // Monday 24 August 2020
const H = 3600_000;
const M = 60_000;

function ev({ t, tenant = 'org-a', user, ip, ok = false, reason = 'bad_password', ua = 'Mozilla/5.0 (Windows NT 10.0) Chrome/84', app = 'Browser', pv, mfa, anon, country = 'US', lat = 38.9, lon = -77.0, asn }) {
  const e = {
    class_uid: 3002, category_uid: 3, activity_id: 1, type_uid: 300201, time: Math.round(t), severity_id: 1,
    status_id: ok ? 1 : 2,
    metadata: { version: '1.3.0', product: { name: 'fixture', vendor_name: 'Vigil' }, tenant_uid: tenant },
    user: { name: user },
    src_endpoint: { ip, location: { country, city: `${country}-city`, lat, long: lon }, ...(asn ? { autonomous_system: asn } : {}), ...(anon ? { type: anon } : {}) },
    http_request: { user_agent: ua },
    unmapped: { client_app: app, ...(ok ? {} : { reason }), ...(pv || ok ? { password_valid: true } : {}), ...(mfa ? { mfa_event: mfa } : {}), ...(anon ? { intel: [anon] } : {}) },
  };
  return e;
}

const staff = (n, org = 'org-a') => Array.from({ length: n }, (_, i) => `user${String(i + 1).padStart(2, '0')}@${org}.example`);
const torIp = (i) => `185.220.${100 + Math.floor(i / 250)}.${(i % 250) + 1}`;

/** A normal working week start: everyone signs in once from the office NAT and once from home. */
function baseline(users, tenant = 'org-a') {
  const out = [];
  users.forEach((u, i) => {
    out.push(ev({ t: T0 + 8 * H + i * M, tenant, user: u, ip: '198.51.100.10', ok: true }));
    out.push(ev({ t: T0 + 20 * H + i * M, tenant, user: u, ip: `203.0.113.${i + 1}`, ok: true }));
  });
  return out;
}

const SPRAY_UA = 'Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)';
function distributedSpray(targets, hoursLong, startH, pool = 300, tenant = 'org-a') {
  const out = [];
  let k = 0;
  for (let h = 0; h < hoursLong; h++) {
    for (const u of targets) {
      for (let a = 0; a < 4; a++) {
        out.push(ev({ t: T0 + (startH + h) * H + rnd() * H, tenant, user: u, ip: torIp(k++ % pool), ua: SPRAY_UA, app: 'IMAP4', anon: 'tor', country: 'DE', lat: 50.1, lon: 8.7, reason: u.startsWith('admin') || u.startsWith('info') ? 'unknown_user' : 'bad_password' }));
      }
    }
  }
  return out;
}

const cases = {
  'spray-distributed': () => {
    const users = staff(40);
    return [...baseline(users), ...distributedSpray([...users.slice(0, 10), 'admin@org-a.example', 'info@org-a.example'], 30, 24)];
  },
  'spray-single-ip': () => {
    const users = staff(30);
    const out = baseline(users);
    users.slice(0, 20).forEach((u, i) => out.push(ev({ t: T0 + 30 * H + i * 20_000, user: u, ip: '45.77.1.2', ua: 'python-requests/2.25.1', app: 'Other clients' })));
    return out;
  },
  'spray-then-quiet': () => {
    // A burst whose episode ends mid-stream (the same tool comes back three days later): its last accounts must
    // still be judged when the group is forgotten, not only at the end of input.
    const users = staff(30);
    const out = baseline(users);
    users.slice(0, 20).forEach((u, i) => out.push(ev({ t: T0 + 30 * H + i * 20_000, user: u, ip: '45.77.1.2', ua: 'python-requests/2.25.1', app: 'Other clients' })));
    out.push(ev({ t: T0 + 110 * H, user: users[25], ip: '45.77.1.3', ua: 'python-requests/2.25.1', app: 'Other clients' }));
    return out;
  },
  'brute-distributed': () => {
    const users = staff(20);
    const out = baseline(users);
    let k = 0;
    for (const u of users.slice(0, 2)) for (let i = 0; i < 335 * 3; i++) out.push(ev({ t: T0 + 30 * H + (i / 335) * H, user: u, ip: torIp(k++ % 200), ua: 'Go-http-client/1.1', app: 'Exchange ActiveSync', anon: 'tor' }));
    return out;
  },
  'brute-single-ip': () => {
    const users = staff(10);
    const out = baseline(users);
    for (let i = 0; i < 40; i++) out.push(ev({ t: T0 + 30 * H + i * 7_000, user: users[3], ip: '192.0.2.250', ua: 'Hydra' }));
    return out;
  },
  'stuffing': () => {
    const users = staff(30);
    const out = baseline(users);
    for (let i = 0; i < 60; i++) {
      const known = i % 6 === 0;
      out.push(ev({ t: T0 + 30 * H + i * 50_000, user: known ? users[i / 6] : `leaked${i}@org-a.example`, ip: `98.${20 + (i % 25)}.${i}.${i + 3}`, ua: 'okhttp/3.12.1', reason: known ? 'bad_password' : 'unknown_user' }));
    }
    return out;
  },
  'mfa-fatigue': () => {
    const users = staff(10);
    const out = baseline(users);
    for (let i = 0; i < 7; i++) out.push(ev({ t: T0 + 30 * H + i * 90_000, user: users[2], ip: '91.200.12.7', reason: 'mfa_denied', pv: true, mfa: 'push_denied', country: 'RU', lat: 55.7, lon: 37.6 }));
    out.push(ev({ t: T0 + 30 * H + 12 * M, user: users[2], ip: '91.200.12.7', ok: true, mfa: 'push_approved', country: 'RU', lat: 55.7, lon: 37.6 }));
    return out;
  },
  'impossible-travel': () => {
    const users = staff(5);
    const out = baseline(users);
    out.push(ev({ t: T0 + 30 * H, user: users[1], ip: '203.0.113.2', ok: true }));
    out.push(ev({ t: T0 + 30 * H + 20 * M, user: users[1], ip: '1.120.0.9', ok: true, country: 'AU', lat: -33.9, lon: 151.2 }));
    return out;
  },
  'impossible-travel-cloud': () => {
    // The jump ends on a cloud server (DigitalOcean, Frankfurt): not a VPN exit staff use, the attacker's own.
    const users = staff(5);
    const out = baseline(users);
    out.push(ev({ t: T0 + 30 * H, user: users[3], ip: '203.0.113.4', ok: true }));
    out.push(ev({ t: T0 + 30 * H + 25 * M, user: users[3], ip: '64.225.28.177', ok: true, country: 'DE', lat: 50.1, lon: 8.7, asn: { number: 14061, name: 'DigitalOcean, LLC' } }));
    return out;
  },
  'tor-signin': () => {
    const users = staff(5);
    const out = baseline(users);
    out.push(ev({ t: T0 + 40 * H, user: users[4], ip: '185.220.101.33', ok: true, anon: 'tor', country: 'NL', lat: 52.4, lon: 4.9 }));
    return out;
  },
  'spray-then-compromise': () => {
    const users = staff(40);
    const targets = users.slice(0, 10);
    const out = [...baseline(users), ...distributedSpray(targets, 20, 24)];
    out.push(ev({ t: T0 + 40 * H, user: targets[5], ip: torIp(17), ok: true, ua: SPRAY_UA, app: 'IMAP4', anon: 'tor', country: 'DE', lat: 50.1, lon: 8.7 }));
    out.push(ev({ t: T0 + 41 * H, user: targets[6], ip: torIp(18), reason: 'mfa_required', pv: true, ua: SPRAY_UA, app: 'IMAP4', anon: 'tor', country: 'DE', lat: 50.1, lon: 8.7 }));
    return out;
  },
  'benign-office-nat-monday': () => {
    // 45 people behind one office address mistype on a Monday morning, then get it right within minutes.
    const users = staff(45, 'org-b');
    const out = [];
    users.forEach((u, i) => {
      const t = T0 + 8 * H + i * 40_000;
      out.push(ev({ t, tenant: 'org-b', user: u, ip: '198.51.100.77' }));
      if (i % 3 === 0) out.push(ev({ t: t + 20_000, tenant: 'org-b', user: u, ip: '198.51.100.77' }));
      out.push(ev({ t: t + 90_000, tenant: 'org-b', user: u, ip: '198.51.100.77', ok: true }));
    });
    return out;
  },
  'benign-stale-phone': () => {
    const users = staff(5);
    const out = baseline(users);
    for (let i = 0; i < 96; i++) out.push(ev({ t: T0 + 24 * H + i * 15 * M, user: users[0], ip: '203.0.113.1', ua: 'Outlook-iOS/2.0', app: 'Exchange ActiveSync' }));
    return out;
  },
  'benign-lockout-reset': () => {
    const users = staff(5);
    const out = baseline(users);
    for (let i = 0; i < 8; i++) out.push(ev({ t: T0 + 33 * H + i * 30_000, user: users[2], ip: '203.0.113.3' }));
    for (let i = 0; i < 3; i++) out.push(ev({ t: T0 + 33 * H + 5 * M + i * 30_000, user: users[2], ip: '203.0.113.3', reason: 'locked_out' }));
    out.push(ev({ t: T0 + 35 * H, user: users[2], ip: '203.0.113.3', ok: true }));
    return out;
  },
  'brute-rapid-burst': () => {
    // A script's bursts at one account from one new address (as real sshd logs show them at root): ten tries within
    // seven seconds, twice, five hours apart. Never 20 in ten minutes, yet no person types that fast.
    const users = staff(10);
    const out = baseline(users);
    for (const h of [30, 35]) for (let i = 0; i < 10; i++) out.push(ev({ t: T0 + h * H + i * 700, user: users[4], ip: '192.0.2.77', ua: '', app: 'ssh' }));
    return out;
  },
  'tor-signin-rotating': () => {
    // An intruder with the password: a failed try and a success through Tor, then two more sign-ins within the hour,
    // each through another exit. One finding, naming all three exits.
    const users = staff(5);
    const out = baseline(users);
    const tor = (t, ip, ok) => ev({ t, user: users[3], ip, ok, anon: 'tor', country: 'DE', lat: 50.1, lon: 8.7, ua: 'Mozilla/5.0 (Windows NT 10.0; rv:68.0) Gecko/20100101 Firefox/68.0' });
    out.push(tor(T0 + 40 * H, '185.220.101.40', false));
    out.push(tor(T0 + 40 * H + 2 * M, '185.220.101.41', true));
    out.push(tor(T0 + 40 * H + 50 * M, '185.220.101.40', true));
    out.push(tor(T0 + 41 * H + 5 * M, '185.220.102.7', true));
    return out;
  },
  'brute-unnamed-burst': () => {
    // Old sshd logs: failed passwords for names that do not exist are PAM lines without a user name. Ten from one
    // address within seven seconds is a script, whatever names it tried.
    const users = staff(5);
    const out = baseline(users);
    for (let i = 0; i < 10; i++) out.push(ev({ t: T0 + 30 * H + i * 700, user: '', ip: '192.0.2.90', ua: '', app: 'ssh', reason: 'unknown_user' }));
    return out;
  },
  'benign-unnamed-scatter': () => {
    // The same number of unnamed failures within a minute, but from ten addresses, one each: nothing to pin on any.
    const users = staff(5);
    const out = baseline(users);
    for (let i = 0; i < 10; i++) out.push(ev({ t: T0 + 30 * H + i * 5_000, user: '', ip: `192.0.2.${100 + i}`, ua: '', app: 'ssh', reason: 'unknown_user' }));
    return out;
  },
  'benign-forgotten-away': () => {
    // A fast typist who forgot the new password, at a hotel never used before: ten tries 15 to 25 seconds apart (a
    // person reads the error and types again), locked, then reset and signed in from there.
    const users = staff(5);
    const out = baseline(users);
    let t = T0 + 33 * H;
    for (let i = 0; i < 10; i++, t += 15_000 + (i % 3) * 5_000) out.push(ev({ t, user: users[1], ip: '192.0.2.150', country: 'FR', lat: 48.9, lon: 2.3 }));
    for (let i = 0; i < 2; i++, t += 30_000) out.push(ev({ t, user: users[1], ip: '192.0.2.150', reason: 'locked_out', country: 'FR', lat: 48.9, lon: 2.3 }));
    out.push(ev({ t: t + 40 * M, user: users[1], ip: '192.0.2.150', ok: true, country: 'FR', lat: 48.9, lon: 2.3 }));
    return out;
  },
  'benign-traveller': () => {
    const users = staff(5);
    const out = baseline(users);
    out.push(ev({ t: T0 + 30 * H, user: users[1], ip: '203.0.113.2', ok: true }));
    out.push(ev({ t: T0 + 40 * H, user: users[1], ip: '81.2.69.160', ok: true, country: 'GB', lat: 51.5, lon: -0.1 }));
    return out;
  },
  'benign-vpn-unlisted': () => {
    // The same habit with no VPN list given: exits in three countries within the hour, in M247's network (where
    // NordVPN, Surfshark and PIA have theirs), and home again. Their locations are the exits', not the person's.
    const users = staff(5);
    const out = baseline(users);
    const m247 = { number: 9009, name: 'M247 Europe SRL' };
    out.push(ev({ t: T0 + 30 * H, user: users[2], ip: '37.120.216.141', ok: true, country: 'US', lat: 40.7, lon: -74.0, asn: m247 }));
    out.push(ev({ t: T0 + 30 * H + 20 * M, user: users[2], ip: '5.157.134.133', ok: true, country: 'RO', lat: 44.4, lon: 26.1, asn: m247 }));
    out.push(ev({ t: T0 + 30 * H + 50 * M, user: users[2], ip: '31.56.128.5', ok: true, country: 'GB', lat: 51.5, lon: -0.1, asn: m247 }));
    out.push(ev({ t: T0 + 31 * H + 10 * M, user: users[2], ip: '203.0.113.3', ok: true }));
    return out;
  },
  'benign-vpn-staff': () => {
    const users = staff(5);
    const out = baseline(users);
    out.push(ev({ t: T0 + 30 * H, user: users[3], ip: '45.83.1.10', ok: true, anon: 'vpn', country: 'CH', lat: 47.4, lon: 8.5 }));
    out.push(ev({ t: T0 + 50 * H, user: users[3], ip: '45.83.1.11', ok: true, anon: 'vpn', country: 'SE', lat: 59.3, lon: 18.1 }));
    return out;
  },
};

/** Writes each case's events, in time order, to its fixture folder. */
function writeCases(cases) {
  for (const [name, make] of Object.entries(cases)) {
    const dir = new URL(`../src/detect/fixtures/${name}/`, import.meta.url);
    mkdirSync(dir, { recursive: true });
    const events = make().sort((a, b) => a.time - b.time);
    writeFileSync(new URL('events.jsonl', dir), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    console.log(name, events.length);
  }
}

writeCases(cases);

// Slow targeted guessing (VGL-008) and the multi-day benign situations it must leave alone. Written after the cases
// above with their own random sequence, so adding them changes none of the files above.
{
  let slowSeed = 7;
  const slowRnd = () => ((slowSeed = (slowSeed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const D = 24 * H;

  /** Ordinary days: everyone signs in once a day from the office (the organisation's clock moves on every day). */
  const officeDays = (users, days, tenant) => {
    const out = [];
    for (let d = 1; d <= days; d++) users.forEach((u, i) => out.push(ev({ t: T0 + d * D + 8 * H + i * M, tenant, user: u, ip: '198.51.100.10', ok: true })));
    return out;
  };

  const slowCases = {
    'slow-guessing': () => {
      // Three senior staff of one organisation tried three to five times a day each, in the operator's office hours,
      // from five commercial VPN exits in turn, for two weeks. No day comes near a rate or lock-out threshold.
      const tenant = 'org-c';
      const users = staff(20, tenant);
      const out = [...baseline(users, tenant), ...officeDays(users, 15, tenant)];
      const exits = ['37.120.216.24', '37.120.217.12', '5.157.132.190', '45.85.111.39', '64.43.117.161'];
      let k = 0;
      for (let d = 1; d <= 14; d++) {
        for (const u of [users[1], users[4], users[8]]) {
          const n = 3 + Math.floor(slowRnd() * 3);
          for (let a = 0; a < n; a++) {
            out.push(ev({ t: T0 + d * D + (6 + slowRnd() * 10) * H, tenant, user: u, ip: exits[k++ % exits.length], ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) Safari/605.1.15', country: 'NL', lat: 52.4, lon: 4.9 }));
          }
        }
      }
      return out;
    },
    'benign-slow-stale-device': () => {
      // After a password change, a laptop with the old password fails when opened, on three days, at a new home
      // address and once at a café; on the third day its owner types the new password at home and it works (the
      // home line has just been handed a neighbouring address).
      const users = staff(8);
      const out = [...baseline(users), ...officeDays(users, 6, 'org-a')];
      const u = users[2];
      const home = '192.0.2.77';
      const cafe = '198.18.40.9';
      const laptop = { user: u, ua: 'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.13001)', app: 'Mobile Apps and Desktop clients' };
      for (const [d, h, ip] of [[1, 7.5, home], [1, 19, home], [1, 21, home], [2, 7.2, home], [2, 12.5, cafe], [2, 12.6, cafe], [2, 20, home], [3, 7.4, home], [3, 7.45, home]]) {
        out.push(ev({ ...laptop, t: T0 + d * D + h * H, ip }));
      }
      out.push(ev({ ...laptop, t: T0 + 3 * D + 7.5 * H, ip: '192.0.2.78', ok: true }));
      return out;
    },
    'benign-slow-forgotten-password': () => {
      // Working from a new flat, someone forgets the new password: tries a few times one evening and gives up, again
      // the next evening from the phone's hotspot, and on the third evening, back on the flat's line, resets it and
      // signs in from there.
      const users = staff(8);
      const out = [...baseline(users), ...officeDays(users, 6, 'org-a')];
      const u = users[5];
      const flat = '192.0.2.140';
      const hotspot = '100.64.12.9';
      for (let i = 0; i < 4; i++) out.push(ev({ t: T0 + 1 * D + 20 * H + i * 40_000, user: u, ip: flat }));
      for (let i = 0; i < 3; i++) out.push(ev({ t: T0 + 2 * D + 21 * H + i * 50_000, user: u, ip: hotspot }));
      for (let i = 0; i < 2; i++) out.push(ev({ t: T0 + 3 * D + 19 * H + i * 30_000, user: u, ip: flat }));
      out.push(ev({ t: T0 + 3 * D + 19 * H + 10 * M, user: u, ip: flat, ok: true }));
      return out;
    },
    'benign-slow-retry-loop': () => {
      // A phone with the old password retries every 15 minutes for four days from home and the mobile network, and
      // nobody fixes it within the log: dozens of failures a day is a device's loop, not a guesser keeping quiet.
      const users = staff(8);
      const out = [...baseline(users), ...officeDays(users, 6, 'org-a')];
      const u = users[6];
      for (let t = T0 + 1 * D + 18 * H; t < T0 + 5 * D + 9 * H; t += 15 * M) {
        const hour = ((t - T0) / H) % 24;
        out.push(ev({ t, user: u, ip: hour < 8 || hour > 19 ? '192.0.2.201' : '100.64.77.3', ua: 'Outlook-iOS/2.0', app: 'Exchange ActiveSync' }));
      }
      return out;
    },
    'benign-slow-single-address': () => {
      // A tablet at a holiday flat with the old password fails two or three times each morning for four days and is
      // never fixed within the log: one address all along is a device where it sits, not a guesser rotating exits.
      const users = staff(8);
      const out = [...baseline(users), ...officeDays(users, 6, 'org-a')];
      const u = users[3];
      for (let d = 1; d <= 4; d++) {
        for (let i = 0; i < 2 + (d % 2); i++) out.push(ev({ t: T0 + d * D + 7 * H + i * 20 * M, user: u, ip: '192.0.2.88', ua: 'Mozilla/5.0 (iPad; CPU OS 13_6 like Mac OS X) Safari/604.1', country: 'ES', lat: 39.6, lon: 2.9 }));
      }
      return out;
    },
    'benign-slow-once-a-day': () => {
      // An old laptop's calendar add-in still has the previous password and fails once when the laptop starts, at home
      // or at a coworking space, on four mornings: a single failure a day is a device's start-up, not someone trying.
      const users = staff(8);
      const out = [...baseline(users), ...officeDays(users, 6, 'org-a')];
      const u = users[1];
      for (let d = 1; d <= 4; d++) out.push(ev({ t: T0 + d * D + 7.8 * H, user: u, ip: d % 2 ? '192.0.2.61' : '198.18.90.14', ua: 'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.4266)', app: 'Mobile Apps and Desktop clients' }));
      return out;
    },
  };

  writeCases(slowCases);
}

// Logs without a user agent (sshd, Google Workspace): everyone who fails shares one client, so a stuffing wave lands
// in the same group as a days-long spray. No random numbers: adding these changes none of the files above.
{
  const weak = { ua: '', app: 'ssh' };
  /** A spray of `targets`, four tries an hour each for `hoursLong` hours, every try from another Tor exit. */
  const torSpray = (targets, hoursLong, startH) => {
    const out = [];
    let k = 0;
    for (let h = 0; h < hoursLong; h++)
      targets.forEach((u, j) => {
        for (let a = 0; a < 4; a++) out.push(ev({ t: T0 + (startH + h) * H + (j * 4 + a) * 70_000, user: u, ip: torIp(k++ % 300), anon: 'tor', country: 'DE', lat: 50.1, lon: 8.7, ...weak }));
      });
    return out;
  };
  const weakCases = {
    'stuffing-inside-spray': () => {
      // The spray goes on for 30 hours; six hours into it a leaked list runs for five: 34 names that do not exist and
      // 6 real ones, once or twice each, every name from its own residential address.
      const users = staff(40);
      const out = [...baseline(users), ...torSpray(users.slice(0, 12), 30, 24)];
      const names = [...Array.from({ length: 34 }, (_, i) => `leaked${i + 1}`), ...users.slice(20, 26)];
      names.forEach((u, i) => {
        const t = T0 + 30 * H + i * 7 * M;
        const ip = `98.${30 + (i % 20)}.${i}.${i + 7}`;
        const reason = u.startsWith('leaked') ? 'unknown_user' : 'bad_password';
        out.push(ev({ t, user: u, ip, reason, ...weak }));
        if (i % 3 === 0) out.push(ev({ t: t + 2 * M, user: u, ip, reason, ...weak }));
      });
      return out;
    },
    'spray-scanner-dictionary': () => {
      // The same spray, and beside it an internet scanner's dictionary of default accounts from three addresses,
      // twenty names each: made-up names as a leaked list's are, but not spread over proxies. The spray's finding
      // has them; no stuffing.
      const users = staff(40);
      const out = [...baseline(users), ...torSpray(users.slice(0, 12), 30, 24)];
      for (let i = 0; i < 60; i++) out.push(ev({ t: T0 + 30 * H + i * 4 * M, user: `default${i + 1}`, ip: `192.0.2.${200 + (i % 3)}`, reason: 'unknown_user', ...weak }));
      return out;
    },
  };
  writeCases(weakCases);
}
