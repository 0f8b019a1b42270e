/**
 * @module cli/commands/notify
 * `vigil notify`: warns each targeted organisation directly, in its language, about itself only. Prepares one
 * notification per organisation and campaign (a follow-up when it escalates), writes them as .eml files with
 * `--outbox`, and delivers them with `--send` by e-mail and signed webhooks through a durable outbox in the store.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadOrganisations, OrganisationsError, type OrganisationsFile } from '../../orgs/organisations.js';
import { writeOutbox } from '../../notify/outbox-files.js';
import { LockHeldError } from '../../notify/outbox.js';
import { prepareNotifications } from '../../notify/prepare.js';
import { sendOutbox, type SendReport } from '../../notify/send.js';
import { Catalogs, resolveLanguage, TemplateError } from '../../notify/templates.js';
import { openStore } from '../../store/db.js';
import { CliError, intOption, parse, UsageError, type Command } from '../command.js';
import { table } from '../output.js';

const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'];
const VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export const notify: Command = {
  name: 'notify',
  summary: 'warn each targeted organisation about itself, in its language (e-mail, webhooks, .eml files)',
  usage: `Usage: vigil notify --orgs FILE [--db FILE] [--outbox DIR] [--send] [options]

Prepares one notification per organisation and campaign that touched it, from that organisation's own findings
only: what happened, which of its accounts were compromised or had their password found, who is believed to be
behind it (or "unattributed"), what to do now, and a technical appendix, in the organisation's language. A
campaign already notified gets a follow-up only when it escalates (a newly compromised account, a new kind of
attack, a newly attributed actor); running again prepares nothing new otherwise. No organisation is told
anything about another.

Options:
      --orgs FILE          organisations file (YAML): ids, names, languages, contacts, webhooks, sender (required)
      --db FILE            the store (default ./vigil.db)
      --outbox DIR         write every prepared message as an .eml file under DIR/<organisation>/
      --send               deliver: e-mail through sender.smtp, webhooks signed with HMAC-SHA256
      --min-severity LEVEL notify only findings at least this severe: ${SEVERITIES.join(', ')} (default: all)
      --attempts N         attempts per delivery before it is marked failed (default 5)
      --backoff MS         first retry delay in milliseconds, doubled for each attempt (default 2000)
      --max-wait S         seconds this run waits for retries that are not yet due (default 600)
      --timeout S          seconds to wait for an SMTP server or webhook (default 30)
      --retry-failed       give deliveries that failed a fresh set of attempts
      --json               write one JSON line per notification and per delivery outcome to standard output
  -h, --help               show this help

Delivery state (prepared, sent, failed, attempts) lives in the store, so a run that is killed can simply be run
again: nothing is lost, and nothing is sent twice except a message caught between "message complete" and the
receiver's confirmation, which is sent again and reported as possibly duplicated.
Exit status: 0 when everything prepared was delivered or waits for a retry; 1 when a notification could not be
prepared or a delivery failed for good; 2 on a usage error.`,
  async run(argv) {
    const { values, positionals } = parse(argv, {
      orgs: { type: 'string' },
      db: { type: 'string' },
      outbox: { type: 'string' },
      send: { type: 'boolean' },
      'min-severity': { type: 'string' },
      attempts: { type: 'string' },
      backoff: { type: 'string' },
      'max-wait': { type: 'string' },
      timeout: { type: 'string' },
      'retry-failed': { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (values.help) {
      console.log(notify.usage);
      return 0;
    }
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (!values.orgs) throw new UsageError('--orgs FILE is required (the organisations to warn: ids, names, languages, contacts)');
    const minSeverityName = values['min-severity']?.toLowerCase();
    if (minSeverityName !== undefined && !SEVERITIES.includes(minSeverityName)) throw new UsageError(`--min-severity must be one of ${SEVERITIES.join(', ')}, not '${values['min-severity']}'`);
    const attempts = intOption(values.attempts, 'attempts', 1, 100) ?? 5;
    const backoffMs = intOption(values.backoff, 'backoff', 0, 3_600_000) ?? 2_000;
    const maxWaitS = intOption(values['max-wait'], 'max-wait', 0, 86_400) ?? 600;
    const timeoutS = intOption(values.timeout, 'timeout', 1, 3_600) ?? 30;

    let orgs: OrganisationsFile;
    try {
      orgs = loadOrganisations(values.orgs);
    } catch (e) {
      if (e instanceof OrganisationsError) throw new CliError(e.message);
      throw e;
    }
    for (const w of orgs.warnings) process.stderr.write(`warning: ${w}\n`);
    let catalogs: Catalogs;
    try {
      catalogs = new Catalogs();
      checkLanguages(orgs, catalogs, values.orgs);
    } catch (e) {
      if (e instanceof TemplateError) throw new CliError(e.message);
      throw e;
    }

    const db = openStore(values.db ?? 'vigil.db');
    // Outbox transitions are few and must survive a power cut, not only a crash of this process.
    db.pragma('synchronous = FULL');
    const err = process.stderr;
    let failures = 0;
    try {
      const prepared = await prepareNotifications(db, orgs, catalogs, { minSeverity: minSeverityName ? SEVERITIES.indexOf(minSeverityName) + 1 : 0 });
      for (const e of prepared.errors) err.write(`error: ${e}\n`);
      failures += prepared.errors.length;
      for (const u of prepared.unknownTenants) err.write(`not notified: ${u.findings} finding(s) of organisation ${u.tenant}, which is not in ${values.orgs}\n`);
      const initial = prepared.prepared.filter((p) => p.kind === 'initial').length;
      const tenants = new Set(prepared.prepared.map((p) => p.tenant)).size;
      err.write(
        `prepared ${prepared.prepared.length} notification(s) (${initial} initial, ${prepared.prepared.length - initial} follow-up) for ${tenants} organisation(s); ${prepared.unchanged} already notified campaign(s) unchanged\n`,
      );
      if (values.json) for (const p of prepared.prepared) console.log(JSON.stringify({ event: 'prepared', ...p }));
      const noChannel = prepared.prepared.filter((p) => p.channels === 0);
      if (noChannel.length) err.write(`no contact or webhook to deliver to: ${[...new Set(noChannel.map((p) => p.tenant))].join(', ')} (see --outbox)\n`);

      if (values.outbox) {
        const files = writeOutbox(db, resolve(values.outbox));
        err.write(`outbox: ${files.filter((f) => f.written).length} new .eml file(s) in ${resolve(values.outbox)} (${files.length} in all)\n`);
      }

      if (values.send) {
        let report: SendReport;
        try {
          report = await sendOutbox(db, orgs, {
            maxAttempts: attempts,
            backoffMs,
            maxWaitMs: maxWaitS * 1000,
            timeoutMs: timeoutS * 1000,
            retryFailed: values['retry-failed'],
            userAgent: `Vigil/${VERSION}`,
            onAttempt: (a) => {
              const what = `${a.delivery.tenant} ${a.delivery.channel === 'smtp' ? `e-mail (${a.delivery.target})` : `webhook ${a.delivery.target}`}`;
              if (a.outcome === 'retry') err.write(`attempt ${a.attempt} failed, will retry: ${what}: ${a.detail}\n`);
              if (a.outcome === 'failed') err.write(`failed: ${what}: ${a.detail}\n`);
              if (a.inDoubt) err.write(`in doubt: ${what}: the answer was lost after the message was complete; it may arrive twice\n`);
              if (values.json) console.log(JSON.stringify({ event: a.outcome, delivery: a.delivery, attempt: a.attempt, in_doubt: a.inDoubt, detail: a.detail }));
            },
          });
        } catch (e) {
          if (e instanceof LockHeldError) throw new CliError(e.message);
          throw e;
        }
        for (const d of report.recoveredInDoubt)
          err.write(
            `in doubt: delivery ${d.id} (${d.tenant}, ${d.channel} ${d.target}) was interrupted between the end of the message and the receiver's confirmation; sent again, the receiver may see it twice (same Message-ID / Vigil-Delivery)\n`,
          );
        if (report.recoveredResumed.length) err.write(`resumed ${report.recoveredResumed.length} delivery(ies) interrupted before the message was complete (not delivered, sent now)\n`);
        if (report.unsendableEmail) err.write(`not sent: ${report.unsendableEmail} e-mail(s): the organisations file has no sender.from and sender.smtp settings\n`);
        failures += report.unsendableEmail;
        for (const w of report.waiting.filter((w) => w.channel !== 'smtp' || !report.unsendableEmail))
          err.write(`waiting: ${w.tenant} ${w.channel} ${w.target}: retry after ${new Date(w.nextAt).toISOString()} (${w.error})\n`);
        err.write(`sent ${report.sent.length} delivery(ies); ${report.failed.length} failed; ${report.waiting.length} waiting\n`);
        failures += report.failed.length;
      }
      err.write(statusTable(db) + '\n');
    } finally {
      db.close();
    }
    return failures ? 1 : 0;
  },
};

/** Every language the file asks for must have templates; say which organisation and contact asks otherwise. */
function checkLanguages(orgs: OrganisationsFile, catalogs: Catalogs, file: string): void {
  orgs.organisations.forEach((o, i) => {
    const where = `${file}: organisation ${i + 1} (${o.id})`;
    if (!resolveLanguage(o.language, catalogs.available)) throw new TemplateError(`${where}, field language: no notification templates for '${o.language}' (have ${catalogs.available.join(', ')}; add templates/${o.language}/)`);
    o.contacts.forEach((c, j) => {
      if (c.language && !resolveLanguage(c.language, catalogs.available))
        throw new TemplateError(`${where}, field contacts.${j}.language: no notification templates for '${c.language}' (have ${catalogs.available.join(', ')})`);
    });
    catalogs.get(o.language); // parse now: a broken template is an error before anything is prepared
  });
}

/** Notifications by organisation and state (one row per organisation, so it stays short with many campaigns). */
function statusTable(db: ReturnType<typeof openStore>): string {
  const rows = db
    .prepare(
      `SELECT n.tenant, MIN(n.language) AS language, COUNT(*) AS notifications, SUM(n.kind = 'follow_up') AS follow_ups,
        SUM(n.status = 'sent') AS sent, SUM(n.status = 'failed') AS failed, SUM(n.status IN ('prepared', 'sending')) AS open,
        (SELECT COALESCE(SUM(d.attempts), 0) FROM deliveries d JOIN notifications m ON m.uid = d.notification_uid WHERE m.tenant = n.tenant) AS attempts
       FROM notifications n GROUP BY n.tenant ORDER BY n.tenant`,
    )
    .all() as { tenant: string; language: string; notifications: number; follow_ups: number; sent: number; failed: number; open: number; attempts: number }[];
  if (!rows.length) return 'no notifications';
  return table([
    ['organisation', 'language', 'notifications', 'follow-ups', 'sent', 'failed', 'not yet sent', 'attempts'],
    ...rows.map((r) => [r.tenant, r.language, r.notifications, r.follow_ups, r.sent, r.failed, r.open, r.attempts]),
  ]);
}
