/**
 * The attempt groups' derived facts against straightforward recomputations: the netblock and country rankings
 * (kept up to date rather than sorted anew), the accounts' recent addresses and attempt times (updated in place),
 * and the settled-account numbers, over a long pseudo-random attack with judgements in between.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accountsIps, accountsIpsText, AttemptTracker, groupFacts, groupIps, MAX_NETS, netblockCount, netblocksText, packGroup, settledAccounts, settledCounts, unpackGroup, type AttemptGroup } from './attempts.js';
import { decodeState, encodeState } from './state-codec.js';
import { netText } from './profiles.js';
import { netKeyOf, sourcesText, type Signal } from './signal.js';

function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

function failure(t: number, user: string, ip: string, unknown: boolean): Signal {
  return {
    t, tenant: 'org', user, userKey: user.toLowerCase(), ip, netKey: netKeyOf(ip), asn: 0, asOrg: '', country: ['DE', 'US', 'NL', 'BR'][ip.length % 4],
    lat: undefined, lon: undefined, anon: '', ok: false, status: 2, passwordValid: false, reason: unknown ? 'unknown_user' : 'bad_password',
    legacy: false, mfaEvent: '', ua: 'python-requests/2.31.0', app: '', proto: '', fp: 'python-requests/2.31.0||', source: undefined, format: 'ocsf',
  } as Signal;
}

/** The ranking as first written: sort everything by count (descending), then key (netblocks by their text). */
function referenceTop(m: Map<string | number, number>, n: number): string[] {
  return [...m.entries()]
    .map(([k, c]): [string, number] => [typeof k === 'number' ? netText(k) : k, c])
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n)
    .map((e) => e[0]);
}

test('facts, recent addresses and times, and settled numbers match their plain recomputation', () => {
  const next = random(7);
  const tracker = new AttemptTracker(48 * 3600_000, 3600_000);
  const ips = new Map<string, string[]>();
  const times = new Map<string, number[]>();
  let g: AttemptGroup | undefined;
  let t = Date.UTC(2026, 0, 1);
  for (let i = 0; i < 6000; i++) {
    t += Math.floor(next() * 20_000);
    const user = `user${Math.floor(next() ** 2 * 300)}`;
    const ip = `10.${Math.floor(next() * 3)}.${Math.floor(next() ** 3 * 200)}.${Math.floor(next() * 4)}`;
    g = tracker.add(failure(t, user, ip, next() < 0.3));
    // Reference: the last four distinct addresses and the times of the last hour (at most 64).
    const list = (ips.get(user) ?? []).filter((x) => x !== ip).concat(ip).slice(-4);
    ips.set(user, list);
    const recent = (times.get(user) ?? []).concat(t).filter((x) => t - x <= 3600_000).slice(-64);
    times.set(user, recent);
    const a = g.accounts.get(user)!;
    assert.deepEqual(a.ips, list);
    assert.deepEqual(a.recent, recent);
    if (i % 97 === 0) {
      const facts = groupFacts(g);
      assert.deepEqual(facts.netblocks, referenceTop(g.nets, 1000));
      assert.deepEqual(facts.countries, referenceTop(g.countries, 50));
      assert.deepEqual(groupFacts(g).netblocks, referenceTop(g.nets, 1000)); // asked twice for one attempt
      assert.deepEqual(referenceTop(g.nets, 7), groupFacts(g).netblocks.slice(0, 7));
      const settled = settledAccounts(g, t, 120_000);
      const c = settledCounts(g, t, 120_000);
      assert.equal(c.accounts, settled.length);
      assert.equal(c.unknown, settled.filter((x) => x.unknown).length);
      assert.equal(c.attempts, settled.reduce((n, x) => n + x.n, 0));
    }
  }
  assert.ok(g && g.nets.size > 100, 'the attack spans many netblocks');
});

test('the first 1,000 netblocks of a spray over thousands stay those of a full sort as counts grow and newcomers overtake', () => {
  const next = random(23);
  const tracker = new AttemptTracker(48 * 3600_000, 3600_000);
  let g: AttemptGroup | undefined;
  let t = Date.UTC(2026, 0, 1);
  let judged = 0;
  for (let i = 0; i < 40_000; i++) {
    t += 1000;
    // Skewed over 3,000 netblocks, and later ones hit harder: netblocks past the first 1,000 keep entering the ranking.
    const r = next();
    const block = i < 20_000 ? Math.floor(r ** 2 * 3000) : 2999 - Math.floor(r ** 3 * 3000);
    const ip = `10.${block >> 8}.${block & 255}.${Math.floor(next() * 250)}`;
    g = tracker.add(failure(t, `user${i % 500}`, ip, false));
    if (i % 37 === 0 || i > 39_900) {
      assert.deepEqual(groupFacts(g).netblocks, referenceTop(g.nets, 1000), `after ${i + 1} attempts`);
      judged++;
    }
  }
  assert.ok(g && g.nets.size > 2500, `thousands of netblocks (${g?.nets.size})`);
  assert.ok(judged > 1000);
});

test('a group counts netblocks past MAX_NETS in a sketch: its map stays at the cap, the count is close, a checkpoint goes on alike', () => {
  const next = random(31);
  const live = new AttemptTracker(48 * 3600_000, 3600_000);
  let restored: AttemptTracker | undefined;
  const distinct = new Set<string>();
  let t = Date.UTC(2026, 0, 1);
  let g: AttemptGroup | undefined;
  let r: AttemptGroup | undefined;
  for (let i = 0; i < 60_000; i++) {
    t += 1000;
    // A rotating pool: nearly every attempt from a netblock not seen before, some from the first ones again.
    const block = next() < 0.1 ? Math.floor(next() * 100) : i;
    const ip = `${20 + (block >> 16)}.${(block >> 8) & 255}.${block & 255}.${1 + Math.floor(next() * 250)}`;
    const s = failure(t, `user${i % 2000}`, ip, false);
    distinct.add(s.netKey === '' ? '' : String(s.netKey));
    g = live.add(s);
    if (restored) r = restored.add(s);
    if (i === 4_000) assert.equal(netblocksText(g), String(g.nets.size), 'exact below the cap');
    if (i === 30_000) {
      // A checkpoint once the sketch is in use: the restored tracker must go on exactly as the live one.
      assert.ok(g.moreNets, 'past the cap by now');
      restored = new AttemptTracker(48 * 3600_000, 3600_000);
      const saved = unpackGroup(decodeState(encodeState({ g: packGroup(g) })).g);
      restored.groups.map.set(saved.id, saved);
      restored.recount();
    }
  }
  assert.equal(g!.nets.size, MAX_NETS, 'the exact counts stop at the cap');
  const est = netblockCount(g!);
  assert.ok(Math.abs(est - distinct.size) <= distinct.size * 0.05, `${distinct.size} netblocks counted as ${est}`);
  assert.equal(netblockCount(r!), est);
  assert.equal(netblocksText(g!), `about ${est}`, 'an estimate is said to be one');
  assert.deepEqual(groupFacts(r!).netblocks, groupFacts(g!).netblocks);
  assert.equal(JSON.stringify(packGroup(r!)), JSON.stringify(packGroup(g!)));
  // The first 100 netblocks, tried again all along, still lead the ranking among those counted exactly.
  assert.deepEqual(new Set(groupFacts(g!).netblocks.slice(0, 100)), new Set(referenceTop(g!.nets, 100)));
});

function success(t: number, user: string, ip: string): Signal {
  return { ...failure(t, user, ip, false), ok: true, status: 1, reason: '' } as Signal;
}

test('running settled numbers equal a walk over the accounts through resolutions, forgotten accounts, late events and judgements at any time', () => {
  const next = random(11);
  const tracker = new AttemptTracker(48 * 3600_000, 3600_000);
  let t = Date.UTC(2026, 0, 1);
  let g: AttemptGroup | undefined;
  let checks = 0;
  const check = (now: number, settleMs: number) => {
    const settled = settledAccounts(g!, now, settleMs);
    assert.deepEqual(settledCounts(g!, now, settleMs), {
      accounts: settled.length,
      unknown: settled.filter((x) => x.unknown).length,
      attempts: settled.reduce((n, x) => n + x.n, 0),
    });
    checks++;
  };
  // More accounts than a group holds (20,000): the least recently active ones are forgotten along the way.
  for (let i = 0; i < 30_000; i++) {
    t += Math.floor(next() * 4000);
    const late = next() < 0.05 ? Math.floor(next() * 1200_000) : 0; // some events arrive up to 20 minutes late
    const fresh = next() < 0.8;
    const user = fresh ? `user${i}` : `user${Math.floor(next() * i)}`;
    const ip = `10.${Math.floor(next() * 3)}.${Math.floor(next() * 200)}.${Math.floor(next() * 4)}`;
    g = tracker.add(failure(t - late, user, ip, next() < 0.3));
    if (next() < 0.05) {
      // The owner of a recent account signs in from the address that failed (or from another one: no change).
      const a = g.accounts.get(`user${Math.floor(i - next() * 50)}`);
      if (a) tracker.resolve(success(t, a.user, next() < 0.8 ? a.ips[a.ips.length - 1] : '10.9.9.9'));
    }
    if (i % 250 === 0) {
      const kind = (i / 250) % 10;
      const settleMs = kind % 2 ? 120_000 : 600_000;
      // Mostly now; sometimes minutes or hours in the past (late events), or the end of the episode.
      const now = kind < 6 ? t : kind < 8 ? t - Math.floor(next() * 900_000) : kind < 9 ? t - 3600_000 - Math.floor(next() * 5 * 3600_000) : g.last + settleMs;
      check(now, settleMs);
    }
  }
  assert.ok(g!.accounts.size === 20_000 && g!.order.length > 20_000, 'accounts were forgotten');
  assert.ok(checks > 100);
});

test('the first thousand netblocks and first 500 networks of a group with thousands of each match a full ranking', () => {
  const next = random(5);
  const tracker = new AttemptTracker(48 * 3600_000, 3600_000);
  let t = Date.UTC(2026, 0, 1);
  let g: AttemptGroup | undefined;
  for (let i = 0; i < 40_000; i++) {
    t += 1000;
    // Skewed: a few netblocks take many attempts, most a handful; ties in count are common.
    const ip = `${1 + Math.floor(next() ** 3 * 200)}.${Math.floor(next() * 40)}.${i % 7}.9`;
    const asn = 1000 + Math.floor(next() ** 2 * 1500);
    g = tracker.add({ ...failure(t, `user${i % 5000}`, ip, false), asn, asOrg: `AS ${asn}` } as Signal);
    if (i % 1500 === 1499) {
      const facts = groupFacts(g);
      assert.deepEqual(facts.netblocks, referenceTop(g.nets, 1000));
      assert.deepEqual(facts.asns, [...g.asns.entries()].slice(0, 500).map(([number, name]) => ({ number, name })));
    }
  }
  assert.ok(g!.nets.size > 3000 && g!.asns.size > 1000, 'more netblocks and networks than findings show');
});

test("findings name an owner's own address only when it also acted as attack infrastructure", () => {
  const tracker = new AttemptTracker(48 * 3600_000, 3600_000);
  let t = Date.UTC(2026, 0, 1);
  // A spray: one address per attempt, each on another account (never signed in from).
  for (let i = 0; i < 30; i++) tracker.add(failure((t += 60_000), `victim${i}`, `203.0.113.${i}`, false));
  // Staff with the same weak tool: a typo from home, then the right password from there.
  const g = tracker.add(failure((t += 60_000), 'anna', '198.51.100.7', false));
  // A stale phone: failures from an address its owner never signs in from.
  tracker.add(failure((t += 60_000), 'ben', '198.51.100.8', false));
  // One address of the spray that tried an account whose owner later signed in from their own address.
  tracker.add(failure((t += 60_000), 'carl', '203.0.113.99', false));
  tracker.add(failure((t += 60_000), 'carl', '198.51.100.9', false));
  // An address hammering two accounts that then signed in from it: attack-like (a break-in), so still named.
  for (let i = 0; i < 6; i++) tracker.add(failure((t += 60_000), i % 2 ? 'dora' : 'erik', '192.0.2.50', false));
  const before = groupIpsOf(g);
  assert.ok(before.includes('198.51.100.7') && before.includes('192.0.2.50'));
  tracker.resolve(success((t += 60_000), 'anna', '198.51.100.7'));
  tracker.resolve(success((t += 60_000), 'carl', '198.51.100.9'));
  tracker.resolve(success((t += 60_000), 'dora', '192.0.2.50'));
  tracker.resolve(success((t += 60_000), 'erik', '192.0.2.50'));
  const after = groupIpsOf(g);
  assert.ok(!after.includes('198.51.100.7'), "the typo's address is the owner's: not named");
  assert.ok(!after.includes('198.51.100.9'), "carl's own address is not named");
  assert.ok(after.includes('203.0.113.99'), "the attacker's address that tried carl still is");
  assert.ok(after.includes('198.51.100.8'), 'an address no owner signed in from still is');
  assert.ok(after.includes('192.0.2.50'), 'an address that acted as attack infrastructure still is');
  assert.equal(after.length, before.length - 2);
  // Checkpoints keep who signed in from where: a restored group names the same addresses.
  const restored = unpackGroup(JSON.parse(JSON.stringify(packGroup(g))));
  assert.deepEqual(groupIpsOf(restored), after);
  // A finding about some accounts names the addresses that tried them.
  const keys = new Set(['carl', 'ben']);
  assert.deepEqual(accountsIps(g, [...keys].map((k) => g.accounts.get(k)!), keys).sort(), ['198.51.100.8', '198.51.100.9', '203.0.113.99']);
});

function groupIpsOf(g: AttemptGroup): string[] {
  return [...groupIps(g)].sort();
}

/** The plain recomputation of `accountsIps`: every address of the group whose accounts include one asked for. */
function referenceAccountsIps(g: AttemptGroup, keys: Set<string>): string[] {
  const out = new Set<string>();
  for (const [ip, info] of g.ipInfo.map) if (info.users.some((u) => keys.has(u))) out.add(ip);
  for (const k of keys) for (const ip of g.accounts.get(k)?.ips ?? []) out.add(ip);
  return [...out].sort();
}

test('the addresses of some accounts, kept up to date between askings, match their plain recomputation', () => {
  const next = random(11);
  const tracker = new AttemptTracker(48 * 3600_000, 3600_000);
  const users = Array.from({ length: 30 }, (_, i) => `user${i}`);
  const keys = new Set<string>(['user0']);
  let g: AttemptGroup | undefined;
  let t = 0;
  for (let i = 0; i < 6000; i++) {
    t += Math.floor(next() * 60_000);
    const user = users[Math.floor(next() * users.length)];
    // Rotating addresses out of a pool larger than one asking sees: new ones keep joining between askings.
    // Now and then an IPv6 address, or a source the log names by host name only (no netblock).
    const r = next();
    const ip = r < 0.03 ? `scanner${Math.floor(next() * 20)}.example` : r < 0.06 ? `2001:db8:${Math.floor(next() * 5)}::${Math.floor(next() * 99)}` : `203.0.${Math.floor(next() * 8)}.${Math.floor(next() * 250)}`;
    g = tracker.add(failure(t, user, ip, false));
    if (i % 97 === 0) {
      // Sometimes the same accounts are asked for again, sometimes one more (the brute-forced list grows).
      if (next() < 0.3) keys.add(users[Math.floor(next() * users.length)]);
      const accounts = [...keys].map((k) => g!.accounts.get(k)).filter((a) => a !== undefined);
      const ips = accountsIps(g, accounts, keys);
      assert.equal(accountsIpsText(g, ips), sourcesText(ips), `asking ${i}: the netblocks counted as addresses joined`);
      assert.deepEqual(ips.sort(), referenceAccountsIps(g, keys), `asking ${i}`);
    }
  }
});

test('findings do not name a stale client, one account retried below a guessing rate, and say so as it happens', () => {
  const tracker = new AttemptTracker(48 * 3600_000, 3600_000);
  let t = Date.UTC(2026, 0, 1);
  let g: AttemptGroup | undefined;
  // A spray from rotating addresses, and in the same group (no user agent) a phone with an old password retrying
  // every 15 minutes, and one address hammering a single account at a guessing rate.
  for (let i = 0; i < 40; i++) {
    g = tracker.add(failure((t += 60_000), `victim${i}`, `203.0.113.${i}`, false));
    if (i % 15 === 0) tracker.add(failure(t + 1, 'gallen', '92.40.185.67', false));
    tracker.add(failure(t + 2, 'hugo', '192.0.2.77', false));
    tracker.add(failure(t + 3, 'hugo', '192.0.2.77', false));
  }
  let phoneTries = 3;
  assert.ok(groupIpsOf(g!).includes('92.40.185.67'), 'a few failures from one address: a typo or a retry, named as before');
  const sameAsFresh = () => assert.deepEqual(groupIpsOf(g!), groupIpsOf(unpackGroup(JSON.parse(JSON.stringify(packGroup(g!))))));
  sameAsFresh();
  // The phone goes on all evening: from its eighth failure it is a stale client.
  for (; phoneTries < 12; phoneTries++) {
    g = tracker.add(failure((t += 15 * 60_000), 'gallen', '92.40.185.67', false));
    assert.equal(groupIpsOf(g).includes('92.40.185.67'), phoneTries + 1 < 8, `after ${phoneTries + 1} failures`);
    sameAsFresh();
  }
  assert.ok(groupIpsOf(g!).includes('192.0.2.77'), 'one account at a guessing rate is attack infrastructure');
  // Had the phone's address tried a second account, it would have been an attacker's after all.
  g = tracker.add(failure((t += 60_000), 'ida', '92.40.185.67', false));
  assert.ok(groupIpsOf(g).includes('92.40.185.67'));
  sameAsFresh();
});

test("a success resolves the owner's failures from an address the group's full address map has since forgotten", () => {
  const tracker = new AttemptTracker(48 * 3600_000, 3600_000);
  const t0 = Date.UTC(2026, 0, 1);
  // The owner mistypes from home, then a spray from twenty thousand more addresses fills the group's address map,
  // which forgets the oldest: the home address.
  const home = '192.0.2.10';
  const g = tracker.add(failure(t0, 'owner@org', home, false));
  for (let i = 0; g.ipInfo.size < g.ipInfo.cap || g.ipInfo.has(home); i++) {
    tracker.add(failure(t0 + 1000 + i, `user${i % 500}@org`, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, false));
  }
  assert.equal(g.ipInfo.has(home), false, 'the home address was forgotten by the group');
  const ok = { ...failure(t0 + 3600_000, 'owner@org', home, false), ok: true, status: 1, passwordValid: true, reason: '' } as Signal;
  assert.equal(tracker.resolve(ok), true);
  assert.equal(g.accounts.get('owner@org')!.resolved, true, "the owner's failures are resolved all the same");
  // A success from an address no failure came from resolves nothing.
  const t2 = new AttemptTracker(48 * 3600_000, 3600_000);
  const g2 = t2.add(failure(t0, 'owner@org', home, false));
  t2.resolve({ ...ok, ip: '198.51.100.1', netKey: netKeyOf('198.51.100.1') });
  assert.equal(g2.accounts.get('owner@org')!.resolved, false);
});
