/**
 * @module orgs/organisations
 * The organisations file (`--orgs FILE`, YAML): who each tenant is, its sector (for victimology in attribution),
 * its language (for notifications) and how to reach it. The minimal form from the issue works as is; richer forms
 * add named contacts with their own language and consent, webhooks, protected (VIP) accounts and the sender's SMTP.
 * Validation errors name the file, the organisation and the field.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const SECTORS = ['political', 'media', 'ngo', 'business', 'government', 'other'] as const;
export const LANGUAGES = ['en', 'es', 'de', 'fr', 'ur'] as const;

const email = z.string().regex(/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/, 'must be an e-mail address');

const Contact = z.union([
  email,
  z.object({
    email,
    name: z.string().optional(),
    /** Overrides the organisation's language for this person. */
    language: z.string().optional(),
    /** May this person be told about individual accounts? Default true for security contacts. */
    consent: z.boolean().default(true),
  }),
]);

const Webhook = z.object({
  url: z.string().url(),
  /** HMAC-SHA256 key for the signature header; may be given as env:NAME to read from the environment. */
  secret: z.string().min(16, 'must be at least 16 characters'),
  /** Allow private, loopback and link-local destinations (off by default: webhooks must not reach internal hosts). */
  allow_private: z.boolean().default(false),
});

export const OrganisationSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  sector: z.enum(SECTORS).default('other'),
  language: z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'must be a language code such as en, es, de, fr, ur').default('en'),
  contacts: z.array(Contact).default([]),
  domains: z.array(z.string()).default([]),
  webhooks: z.array(Webhook).default([]),
  /** Accounts whose compromise is escalated (leaders, finance). */
  protected_accounts: z.array(z.string()).default([]),
  time_zone: z.string().optional(),
});

const Smtp = z.object({
  host: z.string(),
  port: z.number().int().min(1).max(65535).default(587),
  secure: z.boolean().default(false),
  user: z.string().optional(),
  password: z.string().optional(),
  from: z.string(),
});

export const OrganisationsFileSchema = z.object({
  organisations: z.array(OrganisationSchema),
  sender: z.object({ name: z.string().default('Vigil'), smtp: Smtp.optional() }).optional(),
});

export type Organisation = z.infer<typeof OrganisationSchema>;
export type OrganisationsFile = z.infer<typeof OrganisationsFileSchema>;

export class OrganisationsError extends Error {}

export function parseOrganisations(text: string, file = 'organisations file'): OrganisationsFile {
  let doc: any;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new OrganisationsError(`${file}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const r = OrganisationsFileSchema.safeParse(doc);
  if (!r.success) {
    const issue = r.error.issues[0];
    const path = issue.path;
    let where = path.join('.');
    if (path[0] === 'organisations' && typeof path[1] === 'number') {
      const org = doc?.organisations?.[path[1]];
      where = `organisation ${path[1] + 1}${org?.id ? ` (${org.id})` : ''}${path.length > 2 ? `, field ${path.slice(2).join('.')}` : ''}`;
    }
    throw new OrganisationsError(`${file}: ${where || '(top)'}: ${issue.message}`);
  }
  const seen = new Set<string>();
  for (const o of r.data.organisations) {
    if (seen.has(o.id)) throw new OrganisationsError(`${file}: organisation id ${o.id} appears twice`);
    seen.add(o.id);
  }
  return r.data;
}

export function loadOrganisations(path: string): OrganisationsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new OrganisationsError(`cannot read organisations file ${path}`);
  }
  return parseOrganisations(text, path);
}

/** E-mail addresses of an organisation's contacts. */
export function contactEmails(o: Organisation): string[] {
  return o.contacts.map((c) => (typeof c === 'string' ? c : c.email));
}
