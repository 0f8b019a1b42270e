/**
 * @module bench/synthetic
 * A fast generator of OCSF Authentication events (JSON lines) for the memory run: many organisations, a fixed
 * number of accounts, and a fixed number of distinct source addresses, every one of which appears. Most events are
 * failures from a large rotating pool of attacker addresses (each address tries a few accounts and moves on: the
 * shape that makes per-address and per-account state grow), the rest ordinary successes, and a few typos, of each
 * account from its own home address. Deterministic: the same arguments give the same bytes.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface SyntheticOptions {
  events: number;
  addresses: number;
  accounts: number;
  organisations: number;
  days: number;
  seed: number;
}

/** Sixteen /8 blocks of public, geolocated address space; an address's index picks the block and a /24 in it. */
const BLOCKS = [5, 23, 31, 37, 41, 45, 46, 62, 77, 78, 81, 85, 89, 91, 94, 95];
const MAX_ADDRESSES = BLOCKS.length * 65536;

/** Address number i (0 <= i < 1,048,576) as dotted IPv4; distinct i give distinct addresses. */
export function addressOf(i: number): string {
  const block = BLOCKS[i & 15];
  const p = (Math.imul(i >>> 4, 40503) & 0xffff) >>> 0; // odd multiplier: a permutation of 0..65535
  return `${block}.${p >>> 8}.${p & 255}.${1 + ((i * 7) % 254)}`;
}

/** xorshift32: fast and good enough to spread accounts and choices. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

const ATTACK_TOOLS = ['python-requests/2.31.0', 'Go-http-client/1.1', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)', 'curl/8.4.0', 'BAV2ROPC', 'okhttp/4.9.2', 'Apple-iPhone7C2/1202.466', 'axios/1.6.2'];
const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17029; Pro)',
];

/** Counts of what was written, for the report. */
export interface SyntheticFile {
  file: string;
  events: number;
  failures: number;
  addresses: number;
  accounts: number;
  organisations: number;
  bytes: number;
}

export function syntheticFile(dataDir: string, o: SyntheticOptions, log: (s: string) => void = () => {}): SyntheticFile {
  if (o.addresses > MAX_ADDRESSES) throw new Error(`at most ${MAX_ADDRESSES} distinct addresses`);
  if (o.accounts > o.addresses) throw new Error('each account needs its own home address');
  const name = `ocsf-${o.events}ev-${o.addresses}ip-${o.accounts}acct-${o.organisations}org-${o.days}d-seed${o.seed}-v1.jsonl`;
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, name);
  const perOrg = Math.ceil(o.accounts / o.organisations);
  const attackPool = o.addresses - o.accounts; // addresses [accounts, addresses) are attackers'
  // Failures step through the attacker pool with a stride coprime to its size, so every address is used.
  let stride = Math.floor(attackPool * 0.6180339887) | 1;
  while (gcd(stride, attackPool) !== 1) stride += 2;
  const counts: SyntheticFile = { file, events: o.events, failures: 0, addresses: o.addresses, accounts: o.accounts, organisations: o.organisations, bytes: 0 };
  const attackShare = 0.6;
  const typoShare = 0.05;
  const meta = `${file}.json`;
  if (existsSync(file) && existsSync(meta)) {
    log(`using cached ${file}`);
    return { ...counts, ...JSON.parse(readFileSync(meta, 'utf8')) };
  }
  log(`generating ${o.events} synthetic OCSF events into ${file} ...`);
  const t0 = performance.now();
  const rand = rng(o.seed);
  const start = Date.UTC(2024, 2, 4);
  const step = (o.days * 86_400_000) / o.events;
  const tenants = Array.from({ length: o.organisations }, (_, i) => `org-${String(i).padStart(4, '0')}`);
  const tmp = `${file}.partial`;
  const fd = openSync(tmp, 'w');
  let buf: string[] = [];
  let attackK = 0;
  const flush = () => {
    counts.bytes += writeSync(fd, buf.join(''));
    buf = [];
  };
  const product = '{"name":"vigil-bench","vendor_name":"Vigil"}';
  for (let n = 0; n < o.events; n++) {
    const t = Math.floor(start + n * step);
    const r = rand();
    const account = Math.floor(rand() * o.accounts);
    const org = Math.floor(account / perOrg);
    const user = `u${account}@${tenants[org]}.example`;
    let ip: string;
    let status: number;
    let ua: string;
    let reason = '';
    if (r < attackShare) {
      // An attacker address, each in turn; the first failure of every address is guaranteed within the pool.
      ip = addressOf(o.accounts + ((attackK * stride) % attackPool));
      attackK++;
      status = rand() < 0.0001 ? 1 : 2; // the odd guess that works
      ua = ATTACK_TOOLS[attackK % ATTACK_TOOLS.length];
      const f = rand();
      reason = f < 0.9 ? 'bad_password' : f < 0.95 ? 'locked_out' : 'unknown_user';
    } else {
      ip = addressOf(account);
      ua = USER_AGENTS[account & 3];
      status = r < attackShare + typoShare ? 2 : 1;
      if (status === 2) reason = 'bad_password';
    }
    if (status === 2) counts.failures++;
    buf.push(
      `{"class_uid":3002,"activity_id":1,"time":${t},"status_id":${status},"metadata":{"tenant_uid":"${tenants[org]}","product":${product}},` +
        `"user":{"name":"${user}"},"src_endpoint":{"ip":"${ip}"},"http_request":{"user_agent":"${ua}"}` +
        (reason ? `,"unmapped":{"reason":"${reason}"}}\n` : '}\n'),
    );
    if (buf.length === 10_000) flush();
  }
  flush();
  closeSync(fd);
  renameSync(tmp, file);
  writeFileSync(meta, JSON.stringify(counts));
  log(`  ${o.events} events, ${(counts.bytes / 2 ** 30).toFixed(2)} GiB in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  return counts;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
