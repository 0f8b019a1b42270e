/**
 * @module cli/commands/normalize
 * `vigil normalize`: read sign-in logs of any supported format and write one OCSF Authentication event per attempt.
 */
import { resolve } from 'node:path';
import { Enricher, parseIntelSpec } from '../../enrich/index.js';
import { FORMAT_NAMES, type FormatName } from '../../formats/types.js';
import { Quarantine } from '../../ingest/quarantine.js';
import { newStats, readSources, type ReadStats } from '../../ingest/reader.js';
import { expandInputs } from '../../ingest/sources.js';
import { intOption, parse, UsageError, type Command } from '../command.js';
import { humanBytes, JsonLinesWriter, Progress } from '../output.js';

export const READ_OPTIONS = {
  format: { type: 'string', short: 'f' },
  tenant: { type: 'string', short: 't' },
  year: { type: 'string' },
  intel: { type: 'string', multiple: true },
  quarantine: { type: 'string', short: 'q' },
  'max-line': { type: 'string' },
  'no-geo': { type: 'boolean' },
} as const;

export const READ_USAGE = `  -f, --format F       force a format: ${FORMAT_NAMES.join(', ')} (default: detected per file and record)
  -t, --tenant ID      organisation id for records that name none (sshd, some exports)
      --year YYYY      year for syslog time stamps without one (default: the file's modification year,
                       or the year before when that would put the line in the future)
      --intel KIND:PATH  address list to classify sources: tor, vpn, hosting, malicious (repeatable);
                       --intel PATH reads a STIX 2.1 bundle or MISP event
  -q, --quarantine F   write unreadable records here as JSON lines (default: vigil-quarantine.jsonl,
                       created only when a record is quarantined)
      --max-line BYTES longest accepted line, and longest record of a JSON document (default 1048576)
      --no-geo         skip the country/city/ASN lookups`;

export function readOptionsFrom(values: Record<string, any>) {
  const format = values.format as string | undefined;
  if (format !== undefined && !(FORMAT_NAMES as readonly string[]).includes(format)) {
    throw new UsageError(`unknown format '${format}'; use one of ${FORMAT_NAMES.join(', ')}`);
  }
  return {
    format: format as FormatName | undefined,
    tenant: values.tenant as string | undefined,
    year: intOption(values.year, 'year', 1970, 2100),
    maxLineBytes: intOption(values['max-line'], 'max-line', 1024, 1 << 30) ?? 1 << 20,
    intel: ((values.intel as string[] | undefined) ?? []).map(parseIntelSpec),
    geo: !values['no-geo'],
    quarantine: (values.quarantine as string | undefined) ?? 'vigil-quarantine.jsonl',
  };
}

export function summaryLine(stats: ReadStats, q: Quarantine, seconds: number): string {
  const rate = seconds > 0 ? Math.round(stats.records / seconds) : stats.records;
  let s = `${stats.files} file(s), ${humanBytes(stats.bytes)}, ${stats.records} records, ${stats.events} events, ${stats.skipped} skipped (not sign-ins), ${stats.quarantined} quarantined in ${seconds.toFixed(1)} s (${rate} records/s)`;
  if (q.count) s += `\nquarantined: ${[...q.byReason].map(([r, n]) => `${n} ${r}`).join('; ')} -> ${q.path}`;
  return s;
}

export const normalize: Command = {
  name: 'normalize',
  summary: 'convert sign-in logs to OCSF Authentication events (JSON lines)',
  usage: `Usage: vigil normalize [options] INPUT...

Reads sign-in logs (files, directories, globs, .gz, or - for standard input) in any supported format and writes
one OCSF Authentication event (class_uid 3002) per authentication attempt as JSON lines.

Options:
${READ_USAGE}
  -o, --out FILE       write events here (default: standard output)
      --raw            keep each record's original text in raw_data
  -h, --help           show this help

Exit status: 0 when every input was read (quarantined records included), 1 on a failure, 2 on a usage error.`,
  async run(argv) {
    const { values, positionals } = parse(argv, { ...READ_OPTIONS, out: { type: 'string', short: 'o' }, raw: { type: 'boolean' } });
    if (values.help) {
      console.log(normalize.usage);
      return 0;
    }
    if (positionals.length === 0) throw new UsageError('no INPUT given (a file, directory, glob, or - for standard input)');
    const o = readOptionsFrom(values);
    // Never read what this run writes: an input named as the output would be emptied before it is read; an
    // output or quarantine file of an earlier run inside an input folder is passed over.
    const written = new Set([values.out, o.quarantine].filter((p): p is string => !!p && p !== '-').map((p) => resolve(p)));
    const clash = positionals.find((p) => p !== '-' && written.has(resolve(p)));
    if (clash) throw new UsageError(`${clash} is both an input and an output (--out or --quarantine)`);
    const sources = expandInputs(positionals).filter((s) => s.name === '-' || !written.has(resolve(s.name)));
    const enricher = await Enricher.create({ intel: o.intel, geo: o.geo });
    const q = new Quarantine(o.quarantine);
    const stats = newStats();
    const out = new JsonLinesWriter(values.out);
    const progress = new Progress();
    const t0 = Date.now();
    for await (const batch of readSources(sources, { ...o, keepRaw: !!values.raw }, q, stats)) {
      for (const ev of batch) {
        enricher.enrich(ev);
        const flushing = out.write(ev);
        if (flushing) await flushing; // only then: no per-record await
      }
      progress.tick((s) => `${stats.records} records, ${Math.round(stats.records / s)}/s, ${humanBytes(stats.bytes)}, ${stats.quarantined} quarantined`);
    }
    await out.close();
    await q.close();
    progress.done();
    process.stderr.write(summaryLine(stats, q, (Date.now() - t0) / 1000) + '\n');
    return 0;
  },
};
