/**
 * @module cli/commands/demo
 * `vigil demo`: the one command a newcomer runs. Simulates a labelled multi-organisation world (with the
 * STRONTIUM-like distributed spray among its attacks), runs detection over it with the world's intel, and prints
 * what was found and where the files are. Later stages (notifications, dashboard) join as they land.
 */
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, type Command } from '../command.js';
import { detect } from './detect.js';
import { notify } from './notify.js';
import { serve } from './serve.js';
import { simulate } from './simulate.js';

export const demo: Command = {
  name: 'demo',
  summary: 'simulate a multi-organisation world, detect the attacks in it, show the findings',
  usage: `Usage: vigil demo [--dir DIR] [--seed N] [--days D] [--orgs N] [--port P] [--no-serve]

Writes a simulated world (sign-in logs of several organisations, with a distributed password spray, brute force,
credential stuffing, MFA push bombing, impossible travel and a Tor sign-in among benign noise) into DIR
(default ./vigil-demo), runs 'vigil detect' over it and prints the findings by type and organisation.
Then it prepares the warnings (DIR/outbox) and serves the dashboard and API on http://127.0.0.1:8080 (--port),
printing an operator token to log in with; --no-serve stops after the files are written.
Files: DIR/world (the world and its truth.json), DIR/findings.jsonl, DIR/campaigns.jsonl, DIR/outbox, DIR/vigil.db.`,
  async run(argv) {
    const { values } = parse(argv, {
      dir: { type: 'string' },
      seed: { type: 'string' },
      days: { type: 'string' },
      orgs: { type: 'string' },
      port: { type: 'string' },
      'no-serve': { type: 'boolean' },
    });
    if (values.help) {
      console.log(demo.usage);
      return 0;
    }
    const dir = resolve(values.dir ?? 'vigil-demo');
    const world = join(dir, 'world');
    for (const f of ['vigil.db', 'vigil.db-wal', 'vigil.db-shm', 'findings.jsonl', 'campaigns.jsonl', 'quarantine.jsonl']) rmSync(join(dir, f), { force: true });
    rmSync(join(dir, 'outbox'), { recursive: true, force: true });
    rmSync(world, { recursive: true, force: true });
    process.stderr.write(`1/3 simulating a world into ${world}\n`);
    const simArgs = ['--out', world, '--seed', values.seed ?? '1', '--days', values.days ?? '7', '--orgs', values.orgs ?? '12'];
    let code = await simulate.run(simArgs);
    if (code !== 0) return code;
    process.stderr.write(`2/3 detecting (vigil detect --db ${join(dir, 'vigil.db')} ...)\n`);
    const intel = [
      ['tor', join(world, 'intel', 'tor-exits.txt')],
      ['vpn', join(world, 'intel', 'vpn-ranges.txt')],
    ]
      .filter(([, p]) => existsSync(p))
      .map(([kind, p]) => `--intel=${kind}:${p}`);
    const stix = join(world, 'intel', 'attackers.stix.json');
    if (existsSync(stix)) intel.push(`--intel=${stix}`);
    const orgs = join(world, 'orgs.yaml');
    if (existsSync(orgs)) intel.push(`--orgs=${orgs}`);
    code = await detect.run(['--db', join(dir, 'vigil.db'), '--out', join(dir, 'findings.jsonl'), '--campaigns', join(dir, 'campaigns.jsonl'), '--quarantine', join(dir, 'quarantine.jsonl'), ...intel, join(world, 'logs')]);
    if (code !== 0) return code;
    if (existsSync(orgs)) {
      process.stderr.write(`\n3/3 preparing warnings for the targeted organisations (vigil notify --outbox ${join(dir, 'outbox')})\n`);
      code = await notify.run(['--db', join(dir, 'vigil.db'), '--orgs', orgs, '--outbox', join(dir, 'outbox'), '--min-severity', 'high']);
      if (code !== 0) return code;
    }
    process.stderr.write(
      `\nFindings: ${join(dir, 'findings.jsonl')} (OCSF Detection Finding, one per line)\n` +
        `Campaigns: ${join(dir, 'campaigns.jsonl')} (findings joined across organisations, with attribution)\n` +
        `Warnings: ${join(dir, 'outbox')} (one e-mail per organisation and campaign, in its language)\n` +
        `Truth:    ${join(world, 'truth.json')} (what the simulator really did, to compare)\n` +
        `Store:    ${join(dir, 'vigil.db')} (SQLite: findings, detector memory)\n`,
    );
    if (values['no-serve']) return 0;
    process.stderr.write('\nServing the dashboard and API (Ctrl-C to stop); the operator token is printed below.\n');
    return serve.run(['--db', join(dir, 'vigil.db'), ...intel, '--port', values.port ?? '8080', '--new-operator-token']);
  },
};
