/**
 * @module bench/env
 * Where things are and what they are: the repository, the built CLI, the machine, the versions of every program
 * measured, and the Debian packages the peers come from (installed when missing, so the benchmark runs on a fresh
 * machine).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const VIGIL = join(ROOT, 'bin', 'vigil.js');

/** The benchmark measures the built CLI, as users run it; builds it when it is missing. */
export function ensureBuilt(log: (s: string) => void): void {
  if (existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) return;
  log('dist/ missing: npm run build');
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed');
}

function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (e: any) {
    return `${e.stdout ?? ''}${e.stderr ?? ''}`.trim();
  }
}

export function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

export interface Machine {
  cpu: string;
  cores: number;
  memGiB: number;
  os: string;
  kernel: string;
  load: string;
  node: string;
  vigil: string;
  commit: string;
}

export function machine(): Machine {
  const osRelease = existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : '';
  const debian = existsSync('/etc/debian_version') ? readFileSync('/etc/debian_version', 'utf8').trim() : '';
  const pretty = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(osRelease)?.[1] ?? 'unknown';
  const commit = run('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']);
  const dirty = run('git', ['-C', ROOT, 'status', '--porcelain', '--untracked-files=no']) ? ' (with uncommitted changes)' : '';
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    os: `${pretty}${debian ? ` (${debian})` : ''}`,
    kernel: release(),
    load: loadavg().map((x) => x.toFixed(2)).join(' '),
    node: process.version,
    vigil: JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version,
    commit: `${commit}${dirty}`,
  };
}

export function debVersion(pkg: string): string | undefined {
  const v = run('dpkg-query', ['-W', '-f=${Status} ${Version}', pkg]);
  const m = /install ok installed (\S+)/.exec(v);
  return m?.[1];
}

/**
 * Installs Debian packages that are missing. CrowdSec's post-install script registers with CrowdSec's Central API
 * (a network call) unless /etc/crowdsec/online_api_credentials.yaml already exists and is not empty (Debian's
 * documented way to opt out): the file is written first, so nothing goes to the network and the install succeeds
 * offline.
 */
export function ensureDebian(pkgs: string[], log: (s: string) => void): string[] {
  const missing = pkgs.filter((p) => !debVersion(p));
  if (!missing.length) return [];
  if (missing.includes('crowdsec')) {
    const capi = '/etc/crowdsec/online_api_credentials.yaml';
    if (!existsSync(capi) || readFileSync(capi, 'utf8').trim() === '') {
      mkdirSync(dirname(capi), { recursive: true });
      writeFileSync(capi, '# deliberately not empty: no Central API registration (see /usr/share/doc/crowdsec/README.Debian)\n');
    }
  }
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const cmd = (args: string[]) => spawnSync(sudo[0] ?? args[0], sudo.length ? args : args.slice(1), { stdio: 'inherit', env });
  cmd(['apt-get', 'update', '-qq']);
  const r = cmd(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...missing]);
  // A package left unconfigured (for example by an earlier failed post-install) is configured again.
  if (r.status !== 0) cmd(['dpkg', '--configure', '-a']);
  return missing.filter((p) => !debVersion(p));
}

export function versions(): Record<string, string> {
  const out: Record<string, string> = { node: process.version };
  const f2b = debVersion('fail2ban');
  if (f2b) out.fail2ban = f2b;
  const cs = debVersion('crowdsec');
  if (cs) out.crowdsec = cs;
  return out;
}
