/**
 * @module bench/peers
 * The tools Vigil's sshd detection is compared with, run as their users run them on a log file, with nothing
 * pointed at the network:
 * - fail2ban (Debian `fail2ban`): `fail2ban-regex FILE /etc/fail2ban/filter.d/sshd.conf` gives every failure it
 *   recognises (address and time); what the default jail would ban follows from fail2ban's defaults
 *   (maxretry 5 within findtime 10 minutes), applied here to those failures in time order.
 * - CrowdSec (Debian `crowdsec`) in replay ("time machine") mode against a private configuration and database:
 *   the sshd parser and the ssh-bf / ssh-slow-bf scenarios from the hub copy the Debian package ships, Central API
 *   off, local API on a free loopback port; alerts read back with `cscli alerts list -o json`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { measure, type Measured } from './measure.js';

export interface PeerRun {
  measured: Measured;
  /** Every address the tool acted on (would ban / alerted on). */
  flagged: Set<string>;
  /** fail2ban only: every address with at least one recognised failure. */
  matched?: Set<string>;
  note?: string;
}

export interface Caps {
  timeoutSec: number;
  rssCapMiB: number;
}

/** fail2ban's defaults (jail.conf [DEFAULT]). */
export const FAIL2BAN_MAXRETRY = 5;
export const FAIL2BAN_FINDTIME_SEC = 600;

export async function runFail2ban(file: string, work: string, caps: Caps): Promise<PeerRun> {
  const out = join(work, 'fail2ban.out');
  const measured = await measure('fail2ban-regex', ['-o', '<ip> <time>', file, '/etc/fail2ban/filter.d/sshd.conf'], {
    stdoutFile: out,
    inputFile: file,
    timeoutSec: caps.timeoutSec,
    rssCapMiB: caps.rssCapMiB,
  });
  const failures: { ip: string; t: number }[] = [];
  for (const line of readFileSync(out, 'utf8').split('\n')) {
    const sp = line.indexOf(' ');
    if (sp > 0) failures.push({ ip: line.slice(0, sp), t: Number(line.slice(sp + 1)) });
  }
  rmSync(out, { force: true });
  const matched = new Set(failures.map((f) => f.ip));
  return { measured, flagged: wouldBan(failures), matched };
}

/** Addresses with maxretry failures within findtime: the ones the default sshd jail bans. */
export function wouldBan(failures: { ip: string; t: number }[], maxretry = FAIL2BAN_MAXRETRY, findtime = FAIL2BAN_FINDTIME_SEC): Set<string> {
  const sorted = [...failures].sort((a, b) => a.t - b.t);
  const recent = new Map<string, number[]>();
  const banned = new Set<string>();
  for (const { ip, t } of sorted) {
    if (banned.has(ip)) continue;
    const times = (recent.get(ip) ?? []).filter((x) => t - x < findtime);
    times.push(t);
    if (times.length >= maxretry) banned.add(ip);
    recent.set(ip, times);
  }
  return banned;
}

/** Where the Debian package's offline copy of the hub holds an item, if it does. */
function hubItem(rel: string): string | undefined {
  for (const hub of ['/var/lib/crowdsec/hub', '/usr/share/crowdsec/hub']) if (existsSync(join(hub, rel))) return join(hub, rel);
  return undefined;
}

const CROWDSEC_ITEMS: [string, string][] = [
  ['parsers/s00-raw/crowdsecurity/syslog-logs.yaml', 'parsers/s00-raw/syslog-logs.yaml'],
  ['parsers/s01-parse/crowdsecurity/sshd-logs.yaml', 'parsers/s01-parse/sshd-logs.yaml'],
  ['parsers/s02-enrich/crowdsecurity/dateparse-enrich.yaml', 'parsers/s02-enrich/dateparse-enrich.yaml'],
  ['scenarios/crowdsecurity/ssh-bf.yaml', 'scenarios/ssh-bf.yaml'],
  ['scenarios/crowdsecurity/ssh-slow-bf.yaml', 'scenarios/ssh-slow-bf.yaml'],
];

/** The sshd items CrowdSec needs that the offline hub does not have (empty: all there). */
export function crowdsecMissingItems(): string[] {
  return CROWDSEC_ITEMS.map(([rel]) => rel).filter((rel) => !hubItem(rel));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A private CrowdSec configuration: its own data folder and database, sshd items only, no Central API. */
async function crowdsecConfig(dir: string): Promise<string> {
  rmSync(dir, { recursive: true, force: true });
  const cfg = join(dir, 'etc');
  const data = join(dir, 'data');
  mkdirSync(data, { recursive: true });
  for (const [rel, at] of CROWDSEC_ITEMS) {
    mkdirSync(join(cfg, at, '..'), { recursive: true });
    symlinkSync(hubItem(rel)!, join(cfg, at));
  }
  symlinkSync('/etc/crowdsec/patterns', join(cfg, 'patterns'));
  writeFileSync(join(cfg, 'profiles.yaml'), readFileSync('/etc/crowdsec/profiles.yaml'));
  writeFileSync(join(cfg, 'simulation.yaml'), 'simulation: off\n');
  writeFileSync(join(cfg, 'acquis.yaml'), '');
  const port = await freePort();
  const config = join(cfg, 'config.yaml');
  writeFileSync(
    config,
    `common:
  daemonize: false
  log_media: stdout
  log_level: warning
  working_dir: ${dir}
config_paths:
  config_dir: ${cfg}/
  data_dir: ${data}/
  simulation_path: ${cfg}/simulation.yaml
  hub_dir: /var/lib/crowdsec/hub/
  index_path: /var/lib/crowdsec/hub/.index.json
  notification_dir: ${cfg}/notifications/
  plugin_dir: /usr/lib/crowdsec/plugins/
crowdsec_service:
  acquisition_path: ${cfg}/acquis.yaml
  parser_routines: 1
cscli:
  output: json
db_config:
  log_level: warning
  type: sqlite
  db_path: ${data}/crowdsec.db
  use_wal: true
  flush:
    max_items: 5000
    max_age: 7d
api:
  client:
    insecure_skip_verify: false
    credentials_path: ${cfg}/local_api_credentials.yaml
  server:
    log_level: warning
    listen_uri: 127.0.0.1:${port}
    profiles_path: ${cfg}/profiles.yaml
    trusted_ips:
      - 127.0.0.1
prometheus:
  enabled: false
  level: full
`,
  );
  const r = spawnSync('cscli', ['-c', config, 'machines', 'add', 'vigil-bench', '--auto', '--force', '-f', join(cfg, 'local_api_credentials.yaml')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cscli machines add failed: ${r.stderr}`);
  return config;
}

export async function runCrowdsec(file: string, work: string, caps: Caps): Promise<PeerRun> {
  const dir = join(work, 'crowdsec');
  const config = await crowdsecConfig(dir);
  const logFile = join(dir, 'crowdsec.log');
  const measured = await measure('crowdsec', ['-c', config, '-dsn', `file://${file}`, '-type', 'syslog', '-no-capi'], {
    stdoutFile: logFile,
    inputFile: file,
    timeoutSec: caps.timeoutSec,
    rssCapMiB: caps.rssCapMiB,
  });
  const log = readFileSync(logFile, 'utf8');
  const stuck = (log.match(/stuck for .* sending event to/g) ?? []).length;
  const alerts = await crowdsecAlerts(config);
  const flagged = new Set<string>();
  for (const a of alerts) {
    const ip = a.source?.ip || a.source?.value;
    if (ip) flagged.add(ip);
  }
  const notes: string[] = [`${alerts.length} alerts (${[...new Set(alerts.map((a) => a.scenario))].join(', ') || 'none'})`];
  if (stuck) notes.push(`${stuck} "stuck ... sending event to bucket" warnings in its log`);
  return { measured, flagged, note: notes.join('; ') };
}

interface CsAlert {
  scenario?: string;
  source?: { ip?: string; value?: string };
}

/** Alerts of the private database, through a local API started for the purpose and stopped after. */
async function crowdsecAlerts(config: string): Promise<CsAlert[]> {
  const lapi = spawn('crowdsec', ['-c', config, '-no-cs', '-no-capi'], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 120; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const r = spawnSync('cscli', ['-c', config, 'alerts', 'list', '-o', 'json', '-l', '0'], { encoding: 'utf8', maxBuffer: 1 << 30 });
      if (r.status === 0) return (JSON.parse(r.stdout || 'null') as CsAlert[] | null) ?? [];
      if (lapi.exitCode !== null) throw new Error('the CrowdSec local API did not start');
    }
    throw new Error('the CrowdSec local API did not answer within a minute');
  } finally {
    lapi.kill('SIGTERM');
  }
}
