/**
 * @module cli/commands/intel
 * `vigil intel`: what threat intelligence is loaded (the built-in ATT&CK groups plus every `--intel` file), so a
 * user can check that a partner's bundle was read and which actor its indicators point at before relying on it.
 */
import { parseIntelSpec } from '../../enrich/index.js';
import { loadIntel, type Actor, type IntelCatalogue } from '../../intel/index.js';
import { CliError, parse, type Command } from '../command.js';
import { table } from '../output.js';

export const intel: Command = {
  name: 'intel',
  summary: 'list the threat intelligence loaded: actors, aliases, techniques, indicators',
  usage: `Usage: vigil intel [--intel PATH | --intel KIND:PATH]... [--actor NAME] [--json]

Lists the threat intelligence attribution uses: the built-in MITRE ATT&CK groups (APT28, APT31/ZIRCONIUM,
APT35/Magic Hound, with aliases and techniques) and every file given with --intel, merged: an actor named by
any alias in several files is one actor.

Options:
      --intel PATH       a STIX 2.1 bundle or MISP event JSON (repeatable)
      --intel KIND:PATH  an address list: tor, vpn, hosting, malicious (repeatable)
      --actor NAME       show one actor in full (any alias), with its indicators
      --json             everything as one JSON object
  -h, --help             show this help`,
  async run(argv) {
    const { values } = parse(argv, { intel: { type: 'string', multiple: true }, actor: { type: 'string' }, json: { type: 'boolean' } });
    if (values.help) {
      console.log(intel.usage);
      return 0;
    }
    const warnings: string[] = [];
    const cat = loadIntel(((values.intel as string[] | undefined) ?? []).map(parseIntelSpec), { warn: (m) => warnings.push(m) });
    for (const w of warnings) process.stderr.write(`vigil: warning: ${w}\n`);
    if (values.actor) {
      const a = cat.actor(values.actor);
      if (!a) throw new CliError(`no actor named ${values.actor} (known: ${cat.actors.map((x) => x.name).join(', ')})`);
      console.log(values.json ? JSON.stringify(actorJson(cat, a, true), null, 2) : actorText(cat, a));
      return 0;
    }
    if (values.json) {
      console.log(JSON.stringify({ files: cat.files.map(fileJson), lists: cat.lists, actors: cat.actors.map((a) => actorJson(cat, a, false)) }, null, 2));
      return 0;
    }
    const files: (string | number)[][] = [['file', 'format', 'actors', 'indicators', 'campaign profiles', 'not used']];
    for (const f of cat.files) files.push([f.path, f.format, f.actors.filter((a) => !a.stub).length, f.indicators.length, f.profiles.length, f.skipped.count]);
    for (const l of cat.lists) files.push([l.path, `list: ${l.kind}`, 0, l.entries, 0, l.badLines]);
    console.log(table(files));
    for (const a of sorted(cat.actors)) {
      const facts = [`${a.techniques.size} techniques`, `${indicatorsOf(cat, a).length} indicators`, a.sectors.size ? `targets ${[...a.sectors].join(', ')}` : ''];
      console.log(`\n${a.name}${a.externalId ? ` (${a.externalId})` : ''}: ${facts.filter(Boolean).join(', ')}\n  also known as ${a.aliases.filter((x) => x !== a.name).join(', ') || '-'}`);
    }
    return 0;
  },
};

const sorted = (actors: Actor[]) => [...actors].sort((a, b) => a.name.localeCompare(b.name));

function indicatorsOf(cat: IntelCatalogue, a: Actor) {
  return cat.indicators.filter((i) => i.actors.some((l) => l.actor === a));
}

function fileJson(f: IntelCatalogue['files'][number]) {
  return { path: f.path, format: f.format, actors: f.actors.filter((a) => !a.stub).map((a) => a.name), indicators: f.indicators.length, profiles: f.profiles.length, skipped: f.skipped };
}

function actorJson(cat: IntelCatalogue, a: Actor, full: boolean) {
  const inds = indicatorsOf(cat, a);
  return {
    id: a.id,
    name: a.name,
    aliases: a.aliases,
    external_id: a.externalId,
    url: a.url,
    sectors: [...a.sectors],
    techniques: [...a.techniques.values()].sort((x, y) => x.uid.localeCompare(y.uid)),
    sources: a.sources,
    indicators: full ? inds.map((i) => ({ id: i.id, kind: i.kind, value: i.value, confidence: i.confidence, valid_from: i.validFrom && new Date(i.validFrom).toISOString(), valid_until: i.validUntil && new Date(i.validUntil).toISOString(), anonymization: i.anonymization, source: i.source })) : inds.length,
    campaign_profiles: cat.profiles.filter((p) => p.actor === a).map((p) => ({ id: p.id, name: p.name, confidence: p.confidence, fingerprint: p.fingerprint })),
  };
}

function actorText(cat: IntelCatalogue, a: Actor): string {
  const j = actorJson(cat, a, true);
  const lines = [
    `${a.name}${a.externalId ? ` (${a.externalId}${a.url ? `, ${a.url}` : ''})` : ''}`,
    `  id:         ${a.id}`,
    `  aliases:    ${a.aliases.join(', ')}`,
    `  sectors:    ${j.sectors.join(', ') || '-'}`,
    `  techniques: ${j.techniques.map((t) => t.uid).join(' ') || '-'}`,
    `  from:       ${a.sources.join(', ')}`,
  ];
  const inds = j.indicators as { kind: string; value: string; confidence: number; valid_from?: string; anonymization: boolean }[];
  if (inds.length) {
    lines.push('', table([['indicator', 'kind', 'confidence', 'valid from', 'anonymiser'], ...inds.map((i) => [i.value, i.kind, i.confidence, i.valid_from?.slice(0, 10) ?? '', i.anonymization ? 'yes' : ''])]));
  }
  for (const p of j.campaign_profiles) lines.push(`  campaign seen before: ${p.name} (${p.id}), confidence ${p.confidence}, tool ${p.fingerprint.user_agent ?? '-'}`);
  return lines.join('\n');
}
