/**
 * @module notify/prepare
 * Decides what to tell whom and stores it, once. For every organisation in the organisations file, its findings
 * are grouped by campaign (notify/campaign-groups); a campaign not yet notified gets an initial notification, one
 * already notified gets a follow-up only when something escalated since (a newly compromised or valid-password
 * account, a new kind of attack, a protected account newly targeted, a newly attributed actor), and otherwise
 * nothing. Each notification is rendered for every audience (contacts grouped by language and level of detail),
 * checked for anything identifying another organisation, and stored with its deliveries in one transaction, so a
 * crash leaves each notification either fully prepared or not at all and a rerun prepares only what is missing.
 */
import { createHash } from 'node:crypto';
import { reachableContacts, type Organisation, type OrganisationsFile } from '../orgs/organisations.js';
import type { Db } from '../store/db.js';
import { groupByCampaign, loadCampaignIndex, loadFindings, type StoredFinding } from './campaign-groups.js';
import { buildMessage, messageIdFor, type Address } from './message.js';
import { buildPayload } from './payload.js';
import { assertNoLeak, identifyingTerms, LeakError, termsToWithhold } from './privacy.js';
import { render, type Detail, type Rendered } from './render.js';
import { resolveLanguage, type Catalogs } from './templates.js';
import { buildView, escalation, reportedOf, type Reported } from './view.js';

export interface PrepareOptions {
  now?: () => number;
  /** Findings below this severity_id are not notified (default 0: all). */
  minSeverity?: number;
}

export interface PreparedSummary {
  uid: string;
  tenant: string;
  reference: string;
  kind: 'initial' | 'follow_up';
  sequence: number;
  language: string;
  subject: string;
  audiences: string[];
  channels: number;
}

export interface PrepareResult {
  prepared: PreparedSummary[];
  /** Campaigns already notified with nothing new. */
  unchanged: number;
  /** Tenants with findings that are not in the organisations file (cannot be told). */
  unknownTenants: { tenant: string; findings: number }[];
  /** Notifications refused (a leak check hit, a rendering failure), one line each. */
  errors: string[];
}

export const DEFAULT_FROM = 'vigil@vigil.invalid';

interface Audience {
  key: string;
  language: string;
  detail: Detail;
  to: Address[];
  names?: string[];
}

/** Contacts that may be written to, grouped by language and detail; a preview audience when there are none. */
export function audiencesOf(org: Organisation, available: readonly string[]): Audience[] {
  const groups = new Map<string, Audience>();
  for (const c of reachableContacts(org)) {
    const language = resolveLanguage(c.language ?? org.language, available) ?? resolveLanguage(org.language, available) ?? 'en';
    const key = `${language}.${c.detail}`;
    let a = groups.get(key);
    if (!a) groups.set(key, (a = { key, language, detail: c.detail, to: [] }));
    a.to.push(c.name ? { name: c.name, address: c.email } : { address: c.email });
  }
  for (const a of groups.values()) {
    const named = org.contacts.filter((c) => c.consent && a.to.some((t) => t.address === c.email));
    if (named.length && named.every((c) => c.name)) a.names = named.map((c) => c.name!);
  }
  if (!groups.size) {
    const language = resolveLanguage(org.language, available) ?? 'en';
    groups.set(`${language}.full`, { key: `${language}.full`, language, detail: 'full', to: [] });
  }
  return [...groups.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
}

export function notificationUid(tenant: string, campaignKey: string, sequence: number): string {
  return 'ntf-' + createHash('sha256').update(`${tenant}\u0000${campaignKey}\u0000${sequence}`).digest('hex').slice(0, 32);
}

interface PreviousRow {
  uid: string;
  sequence: number;
  reported: string;
  created_at: number;
}

export async function prepareNotifications(db: Db, orgs: OrganisationsFile, catalogs: Catalogs, opts: PrepareOptions = {}): Promise<PrepareResult> {
  const now = opts.now ?? Date.now;
  const minSeverity = opts.minSeverity ?? 0;
  const result: PrepareResult = { prepared: [], unchanged: 0, unknownTenants: [], errors: [] };
  const all = loadFindings(db);
  const known = new Set(orgs.organisations.map((o) => o.id));
  const unknown = new Map<string, number>();
  for (const f of all) if (!known.has(f.tenant)) unknown.set(f.tenant, (unknown.get(f.tenant) ?? 0) + 1);
  result.unknownTenants = [...unknown].sort().map(([tenant, findings]) => ({ tenant, findings }));
  const terms = identifyingTerms(orgs.organisations, all);
  const index = loadCampaignIndex(db);
  const byTenant = new Map<string, StoredFinding[]>();
  for (const f of all) if (known.has(f.tenant) && f.severityId >= minSeverity) byTenant.set(f.tenant, [...(byTenant.get(f.tenant) ?? []), f]);

  const previousOf = db.prepare('SELECT uid, sequence, reported, created_at FROM notifications WHERE tenant = ? AND campaign_key = ? ORDER BY sequence');
  const previousMessage = db.prepare('SELECT message_id FROM notification_messages WHERE notification_uid = ? AND audience = ?');
  const insNotification = db.prepare(`INSERT INTO notifications (uid, tenant, campaign_key, reference, kind, sequence, previous_uid, language, subject, reported, finding_uids, payload, status, created_at, updated_at)
    VALUES (@uid, @tenant, @campaign_key, @reference, @kind, @sequence, @previous_uid, @language, @subject, @reported, @finding_uids, @payload, 'prepared', @created_at, @created_at)`);
  const insMessage = db.prepare('INSERT INTO notification_messages (notification_uid, audience, language, recipients, message_id, eml) VALUES (?, ?, ?, ?, ?, ?)');
  const insDelivery = db.prepare("INSERT INTO deliveries (notification_uid, channel, target, message_rowid, status, updated_at) VALUES (?, ?, ?, ?, 'pending', ?)");

  const fromAddress = orgs.sender?.from ?? DEFAULT_FROM;
  const from: Address = { name: orgs.sender?.name ?? 'Vigil', address: fromAddress };
  const senderName = orgs.sender?.name ?? 'Vigil';

  for (const org of [...orgs.organisations].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const own = byTenant.get(org.id);
    if (!own?.length) continue;
    // Everything this organisation's own data and entry contain; another organisation's term found here is no secret.
    const ownMaterial = JSON.stringify([org, own.map((f) => f.json)]).toLowerCase();
    const withheld = termsToWithhold(org.id, terms, ownMaterial);
    const audiences = audiencesOf(org, catalogs.available);
    const primaryLanguage = resolveLanguage(org.language, catalogs.available) ?? 'en';

    for (const group of groupByCampaign(own, index)) {
      try {
        const view = buildView(org, group, withheld);
        const reported = reportedOf(view);
        const previous = previousOf.all(org.id, group.key) as PreviousRow[];
        let news: Reported | undefined;
        if (previous.length) {
          news = escalation(reported, previous.map((p) => JSON.parse(p.reported) as Reported));
          if (!news) {
            result.unchanged++;
            continue;
          }
        }
        const sequence = previous.length + 1;
        const kind = previous.length ? 'follow_up' : 'initial';
        const last = previous[previous.length - 1];
        const uid = notificationUid(org.id, group.key, sequence);
        const createdAt = now();
        const followUp = last && news ? { previousAt: last.created_at, news } : undefined;
        const renderFor = (language: string, detail: Detail, names?: string[]): Rendered =>
          render({ view, catalog: catalogs.get(language), detail, timeZone: org.time_zone ?? 'UTC', names, followUp, senderName });

        const messages: { audience: Audience; rendered: Rendered; messageId: string; eml: string }[] = [];
        for (const a of audiences) {
          const rendered = renderFor(a.language, a.detail, a.names);
          const messageId = messageIdFor(uid, a.key, fromAddress);
          const inReplyTo = last ? ((previousMessage.get(last.uid, a.key) as { message_id: string } | undefined)?.message_id ?? undefined) : undefined;
          const eml = await buildMessage({ rendered, from, replyTo: orgs.sender?.reply_to, to: a.to, messageId, date: new Date(createdAt), inReplyTo, notificationUid: uid, reference: view.reference });
          messages.push({ audience: a, rendered, messageId, eml });
        }
        const primary = messages.find((m) => m.audience.language === primaryLanguage && m.audience.detail === 'full')?.rendered ?? renderFor(primaryLanguage, 'full');
        const payload = buildPayload({ uid, kind, sequence, previousUid: last?.uid ?? null, createdAt, view, rendered: primary, news, findings: group.findings });
        assertNoLeak(org.id, [payload, ...messages.flatMap((m) => [m.rendered.subject, m.rendered.text, m.rendered.html, m.eml])], withheld);

        const stored = db.transaction(() => {
          // Another run may have prepared it meanwhile: the sequence decides, and the unique key guards it.
          const again = previousOf.all(org.id, group.key) as PreviousRow[];
          if (again.length !== previous.length) return false;
          insNotification.run({
            uid,
            tenant: org.id,
            campaign_key: group.key,
            reference: view.reference,
            kind,
            sequence,
            previous_uid: last?.uid ?? null,
            language: primary.language,
            subject: primary.subject,
            reported: JSON.stringify(reported),
            finding_uids: JSON.stringify(view.findingUids),
            payload,
            created_at: createdAt,
          });
          for (const m of messages) {
            const row = insMessage.run(uid, m.audience.key, m.audience.language, JSON.stringify(m.audience.to.map((t) => t.address)), m.messageId, m.eml);
            if (m.audience.to.length) insDelivery.run(uid, 'smtp', m.audience.key, row.lastInsertRowid, createdAt);
          }
          for (const w of org.webhooks) insDelivery.run(uid, 'webhook', w.url, null, createdAt);
          return true;
        }).immediate();
        if (!stored) continue;
        result.prepared.push({
          uid,
          tenant: org.id,
          reference: view.reference,
          kind,
          sequence,
          language: primary.language,
          subject: primary.subject,
          audiences: messages.map((m) => m.audience.key),
          channels: messages.filter((m) => m.audience.to.length).length + org.webhooks.length,
        });
      } catch (e) {
        if (e instanceof LeakError) result.errors.push(`not prepared: ${e.message}`);
        else result.errors.push(`not prepared for ${org.id} (${group.key}): ${(e as Error).message}`);
      }
    }
  }
  return result;
}
