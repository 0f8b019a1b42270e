/**
 * @module server/ingest
 * `POST /api/v1/ingest`: a body of sign-in records (any format the reader knows: JSON lines, a JSON array or
 * wrapper, CSV, sshd syslog; gzip too) goes through detection at once. Two passes: the reader normalises the body
 * (unreadable records are rejected with their reasons; an organisation's token has its tenant forced on records
 * that name none, and records naming another organisation are refused), then the accepted events, as OCSF lines in
 * a temporary file, go through the same resumable detection run as `vigil detect`, with the store's saved detector
 * memory, and findings are joined into campaigns as `vigil detect` joins them. Ingests are serialised, since the detector memory is one engine; a bounded queue answers 429 beyond it.
 * The same body sent twice is recognised by content and not counted twice.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { updateCampaigns, type CampaignOptions } from '../campaigns/index.js';
import type { Rule } from '../detect/rules.js';
import { runDetection } from '../detect/run.js';
import type { Enricher } from '../enrich/index.js';
import type { FormatName } from '../formats/types.js';
import { Quarantine, type QuarantineEntry } from '../ingest/quarantine.js';
import { newStats, readSource } from '../ingest/reader.js';
import type { Db } from '../store/db.js';
import { addCounters } from './counters.js';
import { ApiError } from './errors.js';
import type { Principal } from './tokens.js';

export interface IngestOptions {
  db: Db;
  rules: Rule[];
  enricher: Enricher;
  latenessMs?: number;
  /** Longest line or record accepted in a body (default 1 MiB). */
  maxLineBytes?: number;
  /** Requests allowed to wait while one is being detected (default 16). */
  maxQueue?: number;
  /** Join findings into campaigns after each ingest, as `vigil detect` does (intel catalogue, organisations). */
  campaigns?: CampaignOptions;
}

export interface IngestRequest {
  body: Uint8Array;
  principal: Principal;
  /** Tenant for records that name none (operator only; an organisation's token always uses its own). */
  tenant?: string;
  format?: FormatName;
  year?: number;
}

export interface IngestResult {
  accepted: number;
  rejected: number;
  /** Records of a known vendor that are not sign-in attempts (audit events, logouts). */
  skipped: number;
  /** The same content was ingested before; nothing was counted again. */
  duplicate: boolean;
  /** Finding lines written: new findings, and updates (grown findings, and campaign joining's annotations). */
  findings: { created: number; updated: number };
  /** Rejections by kind of reason. */
  reasons: Record<string, number>;
  /** The first few rejections with their line in the body and full reason. */
  examples: { line: number; reason: string }[];
}

const EXAMPLES = 5;

/** Keeps no file, only counts and the first few rejections, to tell the client what was wrong. */
class BodyQuarantine extends Quarantine {
  readonly examples: { line: number; reason: string }[] = [];

  constructor() {
    super(undefined);
  }

  override add(entry: QuarantineEntry): void {
    super.add(entry);
    if (this.examples.length < EXAMPLES) this.examples.push({ line: entry.line, reason: entry.reason });
  }
}

export const REFUSED_TENANT = 'record names another organisation';

export class IngestService {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private readonly dir = mkdtempSync(join(tmpdir(), 'vigil-ingest-'));

  constructor(private readonly o: IngestOptions) {}

  /** Queues the request behind those already running; refuses with 429 when too many are waiting. */
  ingest(req: IngestRequest): Promise<IngestResult> {
    if (this.waiting >= (this.o.maxQueue ?? 16)) throw new ApiError(429, 'busy', 'too many ingest requests are waiting; retry shortly', { retry_after_s: 5 });
    this.waiting++;
    const run = this.tail.then(() => this.process(req)).finally(() => this.waiting--);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Waits for queued ingests to finish (for shutdown) and removes the temporary folder. */
  async close(): Promise<void> {
    await this.tail;
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async process(req: IngestRequest): Promise<IngestResult> {
    const own = req.principal.role === 'org' ? req.principal.tenant : undefined;
    const q = new BodyQuarantine();
    const stats = newStats();
    const lines: string[] = [];
    let refused = 0;
    const read = { format: req.format, tenant: own ?? req.tenant, year: req.year, maxLineBytes: this.o.maxLineBytes ?? 1 << 20, stdin: Readable.from([Buffer.from(req.body)]) };
    for await (const batch of readSource({ name: '-' }, read, q, stats)) {
      for (const ev of batch) {
        if (own !== undefined && ev.metadata.tenant_uid !== own) {
          refused++;
          if (q.examples.length < EXAMPLES) q.examples.push({ line: ev.unmapped.source?.line ?? 0, reason: REFUSED_TENANT });
        } else lines.push(JSON.stringify(ev));
      }
    }
    const reasons: Record<string, number> = Object.fromEntries(q.byReason);
    if (refused) reasons[REFUSED_TENANT] = refused;
    const result: IngestResult = { accepted: lines.length, rejected: q.count + refused, skipped: stats.skipped, duplicate: false, findings: { created: 0, updated: 0 }, reasons, examples: q.examples };

    if (lines.length) {
      const file = join(this.dir, `api-ingest-${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}.jsonl`);
      writeFileSync(file, lines.join('\n') + '\n');
      try {
        const st = statSync(file);
        const run = await runDetection([{ name: file, size: st.size, mtime: st.mtimeMs }], {
          db: this.o.db,
          rules: this.o.rules,
          read: { format: 'ocsf', maxLineBytes: lines.reduce((m, l) => Math.max(m, Buffer.byteLength(l) + 1), 1 << 20) },
          enricher: this.o.enricher,
          quarantine: new Quarantine(undefined),
          identity: { api_ingest: randomUUID() },
          command: `POST /api/v1/ingest (${own ? `organisation ${own}` : 'operator'}, ${req.body.length} bytes)`,
          emit: (_json, f) => {
            if (f.activity_id === 1) result.findings.created++;
            else result.findings.updated++;
          },
          latenessMs: this.o.latenessMs,
          campaigns: this.o.campaigns ? (store, onLine) => void updateCampaigns(store, this.o.campaigns!, onLine) : undefined,
        });
        if (run.skippedInputs.length) {
          result.duplicate = true;
          result.accepted = 0;
        }
      } finally {
        rmSync(file, { force: true });
      }
    }
    addCounters(this.o.db, { ingest_requests: 1, ingest_accepted: result.accepted, ingest_unreadable: q.count, ingest_refused_tenant: refused });
    return result;
  }
}
