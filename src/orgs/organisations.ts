/**
 * @module orgs/organisations
 * The organisations file (`--orgs FILE`, YAML): who each tenant is, its sector (for victimology in attribution),
 * its language and time zone (for notifications) and how to reach it. The minimal form from the issue works as is;
 * richer forms add named contacts with their own language, consent and level of detail, webhooks, protected (VIP)
 * accounts and the sender's SMTP settings. Secrets may be written `env:NAME` to keep them out of the file.
 *
 * Every problem is reported at once, each with the file, line, organisation and field; unknown fields are warnings
 * (with a suggestion for likely typos) rather than errors, so that other tools may add their own fields.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';

export const SECTORS = ['political', 'media', 'ngo', 'business', 'government', 'other'] as const;
/** Languages with notification templates shipped with Vigil (templates/<code>/); others can be added as files. */
export const LANGUAGES = ['en', 'es', 'de', 'fr', 'ur'] as const;

const EMAIL_RE = /^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+$/;
const email = z.string().regex(EMAIL_RE, 'must be an e-mail address');
const languageCode = z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language code such as en, es, de, fr, ur or es-MX');
/** A secret given inline or as `env:NAME` (resolved after validation, so the error can name the variable). */
const secret = z.string().min(1).refine((v) => v.startsWith('env:') || v.length >= 16, 'must be at least 16 characters (or env:NAME)');

const ContactObject = z.object({
  email,
  name: z.string().min(1).optional(),
  /** Overrides the organisation's language for this person. */
  language: languageCode.optional(),
  /** Has this person agreed to receive these warnings? false keeps the entry for the record but never writes to it. */
  consent: z.boolean().default(true),
  /** full: named accounts and the technical appendix; summary: what happened and what to do, no account names. */
  detail: z.enum(['full', 'summary']).default('full'),
});
/** A contact is an address, or an object with the address and more. */
const Contact = z.preprocess((v) => (typeof v === 'string' ? { email: v } : v), ContactObject);

const Webhook = z.object({
  /** Optional label shown in reports. */
  name: z.string().optional(),
  url: z.string().url('must be a URL such as https://siem.example.org/hooks/vigil').refine((u) => /^https?:/i.test(u), 'must be an http or https URL'),
  /** HMAC-SHA256 key for the signature header; `env:NAME` reads it from the environment. At least 16 characters. */
  secret,
  /** Allow private, loopback, link-local and other non-public destinations (off: webhooks must not reach internal hosts). */
  allow_private: z.boolean().default(false),
  /** Allow plain http (off: the body names accounts, so it travels over TLS). */
  allow_http: z.boolean().default(false),
});

export const OrganisationSchema = z.object({
  id: z.string().min(1, 'must not be empty'),
  name: z.string().min(1, 'must not be empty'),
  sector: z.enum(SECTORS).default('other'),
  language: languageCode.default('en'),
  /** IANA time zone for the times in notifications (UTC when absent). */
  time_zone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin or UTC').optional(),
  contacts: z.array(Contact).default([]),
  /** The organisation's own domains (also `domain:` for one). */
  domains: z.array(z.string().min(1)).default([]),
  domain: z.string().min(1).optional(),
  webhooks: z.array(Webhook).default([]),
  /** Accounts whose targeting or compromise is called out (leaders, finance): full addresses, or local parts. */
  protected_accounts: z.array(z.string().min(1)).default([]),
  /** Number of accounts, informational (the simulator writes it). */
  size: z.number().int().min(0).optional(),
});

const Smtp = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(587),
  /** TLS from the start (port 465). */
  secure: z.boolean().default(false),
  /** STARTTLS on a plain connection: required (default: notifications name accounts), opportunistic, or off. */
  starttls: z.enum(['required', 'opportunistic', 'off']).default('required'),
  /** Verify the server's certificate (default true). */
  tls_verify: z.boolean().default(true),
  user: z.string().optional(),
  /** `env:NAME` reads it from the environment. */
  password: secret.optional(),
  /** Accepted here too; sender.from is the usual place. */
  from: email.optional(),
});

const Sender = z.object({
  /** Display name in From. */
  name: z.string().default('Vigil'),
  /** The sender address (required to send e-mail; previews use a placeholder). */
  from: email.optional(),
  reply_to: email.optional(),
  smtp: Smtp.optional(),
});

export const OrganisationsFileSchema = z.object({
  organisations: z.array(OrganisationSchema),
  sender: Sender.optional(),
});

type ParsedOrganisation = z.infer<typeof OrganisationSchema>;
export type Contact = z.infer<typeof ContactObject>;
export type Webhook = z.infer<typeof Webhook>;
export type Organisation = Omit<ParsedOrganisation, 'domain'>;
export type SenderSettings = z.infer<typeof Sender>;
export type SmtpSettings = z.infer<typeof Smtp>;
export interface OrganisationsFile {
  organisations: Organisation[];
  sender?: SenderSettings;
  /** Unknown fields and other things worth saying that do not stop the file from being used. */
  warnings: string[];
}

export class OrganisationsError extends Error {}

/** Field names at each level, for unknown-field warnings. */
const KNOWN = {
  top: ['organisations', 'sender'],
  org: Object.keys(OrganisationSchema.shape),
  contact: Object.keys(ContactObject.shape),
  webhook: Object.keys(Webhook.shape),
  sender: Object.keys(Sender.shape),
  smtp: Object.keys(Smtp.shape),
};

/**
 * Parses and validates the organisations file. Throws `OrganisationsError` listing every problem (one line,
 * problems separated by "; "), each as `FILE:LINE: organisation N (id), field PATH: what is wrong`.
 */
export function parseOrganisations(text: string, file = 'organisations file', env: NodeJS.ProcessEnv = process.env): OrganisationsFile {
  const lines = new LineCounter();
  const yamlDoc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (yamlDoc.errors.length) {
    const e = yamlDoc.errors[0];
    const at = e.linePos?.[0] ? `:${e.linePos[0].line}` : '';
    throw new OrganisationsError(`${file}${at}: not valid YAML: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  const doc: any = yamlDoc.toJS();
  const lineOf = (path: PropertyKey[]): string => {
    for (let n = path.length; n >= 0; n--) {
      const node = yamlDoc.getIn(path.slice(0, n) as (string | number)[], true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return `:${lines.linePos(node.range[0]).line}`;
    }
    return '';
  };
  const where = (path: PropertyKey[]): string => {
    const at = `${file}${lineOf(path)}`;
    if (path[0] === 'organisations' && typeof path[1] === 'number') {
      const org = doc?.organisations?.[path[1]];
      const id = typeof org?.id === 'string' || typeof org?.id === 'number' ? ` (${org.id})` : '';
      return `${at}: organisation ${path[1] + 1}${id}${path.length > 2 ? `, field ${path.slice(2).join('.')}` : ''}`;
    }
    return `${at}: ${path.length ? `field ${path.join('.')}` : '(top)'}`;
  };
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new OrganisationsError(`${file}: expected a mapping with an 'organisations' list, as in: organisations: [{id, name, sector, language, contacts: [...]}]`);
  }

  const r = OrganisationsFileSchema.safeParse(doc);
  const problems: string[] = [];
  if (!r.success) for (const issue of r.error.issues) problems.push(`${where(issue.path)}: ${describeIssue(issue)}`);
  else {
    const seen = new Map<string, number>();
    r.data.organisations.forEach((o, i) => {
      const first = seen.get(o.id);
      if (first !== undefined) problems.push(`${where(['organisations', i, 'id'])}: organisation id ${o.id} appears twice (also organisation ${first + 1})`);
      else seen.set(o.id, i);
      o.webhooks.forEach((w, k) => {
        const value = resolveSecret(w.secret, env);
        if (value.error) problems.push(`${where(['organisations', i, 'webhooks', k, 'secret'])}: ${value.error}`);
        else if (value.value!.length < 16) problems.push(`${where(['organisations', i, 'webhooks', k, 'secret'])}: must be at least 16 characters`);
        else w.secret = value.value!;
      });
    });
    const smtp = r.data.sender?.smtp;
    if (smtp?.password !== undefined) {
      const value = resolveSecret(smtp.password, env);
      if (value.error) problems.push(`${where(['sender', 'smtp', 'password'])}: ${value.error}`);
      else smtp.password = value.value;
    }
  }
  if (problems.length) {
    const lineNo = (p: string) => Number(/^:(\d+):/.exec(p.slice(file.length))?.[1] ?? 0);
    problems.sort((a, b) => lineNo(a) - lineNo(b));
    throw new OrganisationsError(problems.length === 1 ? problems[0] : `${problems.length} problems: ${problems.join('; ')}`);
  }

  const data = r.data!;
  const organisations: Organisation[] = data.organisations.map(({ domain, ...o }) => ({
    ...o,
    domains: [...new Set([...(domain ? [domain] : []), ...o.domains].map((d) => d.toLowerCase()))],
  }));
  const sender = data.sender ? { ...data.sender, from: data.sender.from ?? data.sender.smtp?.from } : undefined;
  return { organisations, sender, warnings: unknownFields(doc, where) };
}

export function loadOrganisations(path: string): OrganisationsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new OrganisationsError(`cannot read organisations file ${path}${code === 'ENOENT' ? ': no such file' : code ? `: ${code}` : ''}`);
  }
  return parseOrganisations(text, path);
}

/** E-mail addresses of an organisation's contacts (all of them, whatever their consent). */
export function contactEmails(o: Organisation): string[] {
  return o.contacts.map((c) => c.email);
}

/** The contacts that may be written to. */
export function reachableContacts(o: Organisation): Contact[] {
  return o.contacts.filter((c) => c.consent);
}

/** Domains that belong to the organisation: its own list and those of its contacts' addresses. */
export function organisationDomains(o: Organisation): string[] {
  return [...new Set([...o.domains, ...o.contacts.map((c) => c.email.split('@')[1].toLowerCase())])];
}

function resolveSecret(value: string, env: NodeJS.ProcessEnv): { value?: string; error?: string } {
  if (!value.startsWith('env:')) return { value };
  const name = value.slice(4);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return { error: `'${value}' is not env:NAME with a variable name` };
  const v = env[name];
  if (v === undefined || v === '') return { error: `environment variable ${name} is not set` };
  return { value: v };
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) return 'is required';
  if (issue.code === 'invalid_value' && 'values' in issue) return `must be one of ${issue.values.map(String).join(', ')}`;
  if (issue.code === 'invalid_type') return `must be ${issue.expected === 'array' ? 'a list' : issue.expected === 'object' ? 'a mapping' : `a ${issue.expected}`}`;
  return issue.message;
}

function unknownFields(doc: any, where: (path: PropertyKey[]) => string): string[] {
  const out: string[] = [];
  const check = (obj: unknown, known: string[], path: PropertyKey[]) => {
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return;
    for (const k of Object.keys(obj)) {
      if (known.includes(k)) continue;
      const near = known.find((n) => editDistance(n, k) <= 2);
      out.push(`${where([...path, k])}: unknown field '${k}' ignored${near ? ` (did you mean '${near}'?)` : ''}`);
    }
  };
  check(doc, KNOWN.top, []);
  (Array.isArray(doc.organisations) ? doc.organisations : []).forEach((o: any, i: number) => {
    check(o, KNOWN.org, ['organisations', i]);
    (Array.isArray(o?.contacts) ? o.contacts : []).forEach((c: unknown, j: number) => check(c, KNOWN.contact, ['organisations', i, 'contacts', j]));
    (Array.isArray(o?.webhooks) ? o.webhooks : []).forEach((w: unknown, j: number) => check(w, KNOWN.webhook, ['organisations', i, 'webhooks', j]));
  });
  check(doc.sender, KNOWN.sender, ['sender']);
  check(doc.sender?.smtp, KNOWN.smtp, ['sender', 'smtp']);
  return out;
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}
