/**
 * @module cli/commands/export
 * `vigil export --stix FILE`: the store's campaigns as a STIX 2.1 bundle to share with partners. Organisations are
 * anonymous in it and accounts absent (see share/stix-export.ts); the same store gives the same file.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { readStoredCampaigns } from '../../campaigns/store.js';
import type { Campaign } from '../../campaigns/types.js';
import { describeFsError } from '../../ingest/sources.js';
import { loadOrganisations } from '../../orgs/organisations.js';
import { campaignsToStix, TLP, type TlpLevel } from '../../share/stix-export.js';
import { openStore } from '../../store/db.js';
import { CliError, intOption, parse, UsageError, type Command } from '../command.js';

export const exportCmd: Command = {
  name: 'export',
  summary: 'export campaigns as a STIX 2.1 bundle for partners (organisations anonymised)',
  usage: `Usage: vigil export --stix FILE [--campaign ID]... [--db FILE] [--orgs FILE] [--tlp LEVEL] [--min-orgs N]

Writes the campaigns in the store as a STIX 2.1 bundle that OpenCTI, MISP or another Vigil (--intel FILE) can
import: each campaign, the intrusion-set it is attributed to (with the confidence), an indicator for every source
address (Tor exits and other shared addresses marked as anonymisers) and for the tool's user agent, and a
sighting per targeted organisation by an anonymous identity. Organisation names and ids and account names are
never written. The same store gives the same file.

Options:
      --stix FILE      where to write the bundle (required)
      --campaign ID    only this campaign (repeatable; ids as in --campaigns output)
      --db FILE        the store (default ./vigil.db)
      --orgs FILE      organisations file: adds each anonymous organisation's sector
      --tlp LEVEL      marking: white, green, amber or red (default amber)
      --min-orgs N     only campaigns against at least N organisations (default 1)
  -h, --help           show this help`,
  async run(argv) {
    const { values } = parse(argv, {
      stix: { type: 'string' },
      campaign: { type: 'string', multiple: true },
      db: { type: 'string' },
      orgs: { type: 'string' },
      tlp: { type: 'string' },
      'min-orgs': { type: 'string' },
    });
    if (values.help) {
      console.log(exportCmd.usage);
      return 0;
    }
    if (!values.stix) throw new UsageError('--stix FILE is required');
    const tlp = (values.tlp ?? 'amber').toLowerCase();
    if (!(tlp in TLP)) throw new UsageError(`--tlp must be one of ${Object.keys(TLP).join(', ')}, not '${values.tlp}'`);
    const minOrgs = intOption(values['min-orgs'], 'min-orgs', 1, 1_000_000) ?? 1;
    const dbPath = values.db ?? 'vigil.db';
    // Opening would create an empty store: a wrong path must say so instead.
    if (!existsSync(dbPath)) throw new CliError(`no store at ${dbPath} (run 'vigil detect --db ${dbPath} ...' first)`);
    const orgs = values.orgs ? loadOrganisations(values.orgs) : undefined;
    const db = openStore(dbPath);
    let campaigns: Campaign[];
    try {
      campaigns = readStoredCampaigns(db, values.campaign as string[] | undefined);
    } finally {
      db.close();
    }
    const missing = ((values.campaign as string[] | undefined) ?? []).filter((id) => !campaigns.some((c) => c.id === id));
    if (missing.length) throw new CliError(`no campaign ${missing.join(', ')} in ${dbPath}`);
    campaigns = campaigns.filter((c) => c.organisations.count >= minOrgs);
    if (!campaigns.length) throw new CliError(`no campaigns to export from ${dbPath}${minOrgs > 1 ? ` against ${minOrgs} or more organisations` : ''}`);
    const bundle = campaignsToStix(campaigns, { tlp: tlp as TlpLevel, orgs });
    try {
      writeFileSync(values.stix, JSON.stringify(bundle, null, 1) + '\n');
    } catch (e) {
      throw new CliError(`cannot write ${values.stix}: ${describeFsError(e)}`);
    }
    const objects = bundle.objects as { type: string }[];
    const count = (t: string) => objects.filter((o) => o.type === t).length;
    process.stderr.write(`${values.stix}: ${campaigns.length} campaign(s), ${count('intrusion-set')} intrusion-set(s), ${count('indicator')} indicator(s), ${count('sighting')} sighting(s) by anonymous organisations\n`);
    return 0;
  },
};
