/**
 * @module cli/commands/token
 * `vigil token create|list|revoke`: API tokens for `vigil serve`. A token is printed once, on the last line of
 * standard output, and stored only as a hash; list shows ids, roles, organisations and use, never a token.
 */
import { openStore } from '../../store/db.js';
import { createToken, listTokens, revokeToken } from '../../server/tokens.js';
import { CliError, parse, UsageError, type Command } from '../command.js';
import { table } from '../output.js';

const when = (t: number | null) => (t === null ? '-' : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z'));

export const token: Command = {
  name: 'token',
  summary: 'create, list and revoke API tokens for vigil serve',
  usage: `Usage: vigil token create [--db FILE] (--role operator | --org TENANT_ID) [--name TEXT]
       vigil token list [--db FILE] [--json]
       vigil token revoke [--db FILE] ID

create   makes a new token and prints it on the last line of standard output (shown only this once; the store
         keeps its SHA-256 hash). --role operator sees and ingests everything; --org TENANT_ID (or --role org
         --org TENANT_ID) sees and ingests only that organisation.
list     shows every token's id, role, organisation, name, creation, last use and revocation, never the token.
revoke   stops a token from working at once, by its id.

Options:
      --db FILE     the store (default ./vigil.db)
      --role R      operator or org
      --org ID      the organisation (tenant id) an org token is bound to
      --name TEXT   a note to tell tokens apart (who has it, what for)
      --json        list as JSON lines
  -h, --help        show this help`,
  async run(argv) {
    const { values, positionals } = parse(argv, {
      db: { type: 'string' },
      role: { type: 'string' },
      org: { type: 'string' },
      name: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (values.help) {
      console.log(token.usage);
      return 0;
    }
    const [action, ...rest] = positionals;
    if (!action) throw new UsageError('name an action: create, list or revoke');
    const dbPath = values.db ?? 'vigil.db';
    if (action === 'create') {
      if (rest.length) throw new UsageError(`unexpected argument '${rest[0]}'`);
      const role = values.role ?? (values.org !== undefined ? 'org' : undefined);
      if (role !== 'operator' && role !== 'org') throw new UsageError(role === undefined ? 'give --role operator or --org TENANT_ID' : `--role must be operator or org, not '${role}'`);
      if (role === 'operator' && values.org !== undefined) throw new UsageError('an operator token sees every organisation: give --role operator or --org, not both');
      if (role === 'org' && !values.org?.trim()) throw new UsageError('an organisation token needs --org TENANT_ID');
      const db = openStore(dbPath);
      try {
        const known = role === 'org' && (db.prepare('SELECT 1 FROM organisations WHERE id = ? UNION SELECT 1 FROM findings WHERE tenant = ? LIMIT 1').get(values.org, values.org) !== undefined);
        const { token: t, info } = role === 'operator' ? createToken(db, { role, name: values.name }) : createToken(db, { role, tenant: values.org!.trim(), name: values.name });
        if (role === 'org' && !known) process.stderr.write(`note: no organisation ${values.org} in the store yet (no findings, not in --orgs); the token works once it appears\n`);
        process.stderr.write(`created ${info.id} (${role === 'operator' ? 'operator' : `organisation ${info.tenant}`}); the token is shown only now:\n`);
        console.log(t);
      } finally {
        db.close();
      }
      return 0;
    }
    if (values.role !== undefined || values.org !== undefined || values.name !== undefined) throw new UsageError(`--role, --org and --name are for 'token create'`);
    if (action === 'list') {
      if (rest.length) throw new UsageError(`unexpected argument '${rest[0]}'`);
      const db = openStore(dbPath);
      try {
        const list = listTokens(db);
        if (values.json) for (const t of list) console.log(JSON.stringify(t));
        else if (!list.length) process.stderr.write(`no tokens; create one with 'vigil token create --role operator'\n`);
        else {
          const rows: (string | number)[][] = [['id', 'role', 'organisation', 'name', 'created', 'last used', 'revoked']];
          for (const t of list) rows.push([t.id, t.role, t.tenant ?? '-', t.name ?? '-', when(t.created_at), when(t.last_used_at), when(t.revoked_at)]);
          console.log(table(rows));
        }
      } finally {
        db.close();
      }
      return 0;
    }
    if (action === 'revoke') {
      if (rest.length !== 1) throw new UsageError('give the id of one token to revoke (see vigil token list)');
      const db = openStore(dbPath);
      try {
        if (!revokeToken(db, rest[0])) throw new CliError(`no active token with id ${rest[0]} (see vigil token list)`);
        process.stderr.write(`revoked ${rest[0]}\n`);
      } finally {
        db.close();
      }
      return 0;
    }
    throw new UsageError(`unknown action '${action}'; use create, list or revoke`);
  },
};
