/**
 * The engine forgets what has ended: when an attack's group goes quiet for its window, its findings are written
 * (if they changed since) and dropped from the sink, so an endless stream does not keep every finding ever raised.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from './engine.js';
import { netText, Watch } from './profiles.js';
import { decodeState, encodeState } from './state-codec.js';
import { loadRules } from './rules.js';
import { netKeyOf, type Signal } from './signal.js';

function failure(t: number, i: number): Signal {
  const user = `user${i % 40}@org.example`;
  const ip = `203.0.113.${i % 200}`;
  return {
    t, tenant: 'org-1', user, userKey: user, ip, netKey: netKeyOf(ip), asn: 0, asOrg: '', country: 'NL', lat: undefined, lon: undefined,
    anon: '', ok: false, status: 2, passwordValid: false, reason: 'bad_password', legacy: true, mfaEvent: '', ua: 'BAV2ROPC',
    app: 'Authenticated SMTP', proto: '', fp: 'BAV2ROPC|Authenticated SMTP|', source: undefined, format: 'entra',
  };
}

test('a spray that went quiet for its window leaves no finding held in memory', async () => {
  const engine = new Engine({ rules: await loadRules() });
  const t0 = Date.UTC(2024, 0, 1);
  for (let i = 0; i < 400; i++) engine.pushSignal(failure(t0 + i * 20_000, i)); // 40 accounts, ~2 hours
  const raised = engine.drainFindings() as any[];
  const spray = raised.find((f) => f.finding_info.types[0] === 'password_spray');
  assert.ok(spray, 'the spray is found');
  const uid = spray.finding_info.uid;
  assert.ok(engine.sink.open.has(uid));
  // Three days later, another organisation's event moves time on: the spray's group has ended.
  engine.pushSignal({ ...failure(t0 + 3 * 86400_000, 1), tenant: 'org-2' });
  engine.pushSignal({ ...failure(t0 + 3 * 86400_000 + 3600_000, 2), tenant: 'org-2' });
  assert.ok(!engine.sink.open.has(uid), 'the finding is forgotten');
  assert.ok(!engine.sink.pending.has(uid));
  const later = engine.drainFindings() as any[];
  engine.flush();
  const atEnd = (engine.drainFindings() as any[]).filter((f) => f.finding_info.uid === uid);
  assert.equal(atEnd.length, 0, 'nothing of it is left for the end of input');
  // Its last content was written when it ended, not lost.
  const lastShown = [...raised, ...later].filter((f) => f.finding_info.uid === uid).pop();
  assert.equal(lastShown.unmapped.accounts_count, 40);
});

test('an attack near the line between spray and stuffing gets one finding that grows, not one of each', async () => {
  const engine = new Engine({ rules: await loadRules() });
  const t0 = Date.UTC(2024, 0, 1);
  const found: any[] = [];
  // A combo list: names that exist and names that do not, one try each from rotating addresses; first mostly
  // unknown names (stuffing-like), then mostly real ones (spray-like).
  for (let i = 0; i < 240; i++) {
    const unknown = i < 80 ? i % 4 !== 0 : i % 4 === 0;
    const user = unknown ? `nobody${i}@org.example` : `user${i}@org.example`;
    engine.pushSignal({ ...failure(t0 + i * 30_000, i), user, userKey: user, ip: `198.51.100.${i % 250}`, reason: unknown ? 'unknown_user' : 'bad_password' });
    found.push(...(engine.drainFindings() as any[]));
  }
  engine.pushSignal({ ...failure(t0 + 3 * 86400_000, 1), tenant: 'org-2' });
  engine.flush();
  found.push(...(engine.drainFindings() as any[]));
  const types = new Set(found.filter((f) => f.metadata.tenant_uid === 'org-1').map((f) => `${f.finding_info.types[0]} ${f.finding_info.uid}`));
  assert.equal(types.size, 1, `one finding: ${[...types].join(', ')}`);
  const last = found.filter((f) => f.metadata.tenant_uid === 'org-1').pop();
  assert.ok(last.unmapped.accounts_count >= 200, 'it grew with the whole attack');
});

test('a success skips the lookups of memories that cannot hold its account, and never one that may', async () => {
  const engine = new Engine({ rules: await loadRules(), latenessMs: 0 });
  const t0 = Date.UTC(2024, 0, 1);
  const user = 'user1@org.example';
  const home = { ip: '192.0.2.10', netKey: netKeyOf('192.0.2.10') };
  const away = { ip: '198.51.100.7', netKey: netKeyOf('198.51.100.7') };
  const ok = (t: number, at: typeof home): Signal => ({ ...failure(t, 1), user, userKey: user, ...at, ok: true, status: 1, passwordValid: true, reason: '' });
  const fail = (t: number, at: typeof home): Signal => ({ ...failure(t, 1), user, userKey: user, ...at });
  const watch = () => engine.profiles.tenants.get('org-1')!.users.get(user)!.watch;
  engine.pushSignal(ok(t0, home));
  engine.pushSignal(ok(t0 + 60_000, home));
  assert.equal(watch(), 0, 'lookups that found nothing cleared every bit');
  // The owner mistypes away from home, then gets it right from there: the failures were the owner's own.
  engine.pushSignal(fail(t0 + 3600_000, away));
  engine.pushSignal(fail(t0 + 3660_000, away));
  assert.notEqual(watch() & Watch.groups, 0, 'a counted failure marks the account as held by a group');
  engine.pushSignal(ok(t0 + 3720_000, away));
  const g = [...engine.tracker.groups.map.values()].find((x) => x.accounts.has(user))!;
  assert.equal(g.accounts.get(user)!.resolved, true, 'the success resolved the failures');
});

test('a checkpoint whose held events name their netblock as text (as versions before netblock keys saved them) continues the same', async () => {
  const rules = await loadRules();
  const t0 = Date.UTC(2024, 0, 1);
  const events = Array.from({ length: 400 }, (_, i) => failure(t0 + i * 20_000, i));
  const whole = new Engine({ rules });
  for (const s of events) whole.pushSignal(s);
  whole.flush();
  const want = JSON.stringify(whole.drainFindings());

  const first = new Engine({ rules });
  for (const s of events.slice(0, 300)) first.pushSignal(s);
  const before = first.drainFindings();
  const st = decodeState(first.snapshot());
  assert.ok(st.held.length > 10, 'events within the lateness bound are held');
  // The netblock as earlier versions kept it in a held event: its text, under `net`.
  st.held = st.held.map(({ netKey: key, ...rest }: Signal) => ({ ...rest, net: netText(key) }));
  const resumed = new Engine({ rules });
  resumed.restore(encodeState(st));
  for (const s of events.slice(300)) resumed.pushSignal(s);
  resumed.flush();
  assert.equal(JSON.stringify([...before, ...resumed.drainFindings()]), want);
});
