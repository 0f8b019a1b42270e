/**
 * @module cli/commands/serve
 * `vigil serve`: the HTTP API and the dashboard over the store `vigil detect` writes. Runs until interrupted
 * (Ctrl-C or SIGTERM), then finishes requests in flight and closes the store.
 */
import { resolve } from 'node:path';
import { parseIntelSpec } from '../../enrich/index.js';
import { DEFAULT_MAX_BODY } from '../../server/app.js';
import { DEFAULT_HOST, DEFAULT_PORT, startServer } from '../../server/start.js';
import { createToken } from '../../server/tokens.js';
import { CliError, intOption, parse, type Command } from '../command.js';

export const serve: Command = {
  name: 'serve',
  summary: 'serve the HTTP API and the dashboard over the store',
  usage: `Usage: vigil serve [options]

Serves the JSON API (/api/v1/...), Prometheus metrics (/metrics), a health check (/healthz) and the dashboard (/)
over the SQLite store that 'vigil detect' writes; safe to run while a detect run writes to the same store.
Every API call needs 'Authorization: Bearer TOKEN' (see 'vigil token'). POST /api/v1/ingest takes sign-in records
and runs detection on them at once.

Options:
      --db FILE          the store (default ./vigil.db)
      --host H           address to listen on (default ${DEFAULT_HOST}; 0.0.0.0 for every interface)
      --port P           port (default ${DEFAULT_PORT}; 0 picks a free port)
      --orgs FILE        organisations file: names, sectors and languages shown (kept in the store) and used
                         for campaign victimology on ingest
      --intel SPEC       intel for records sent to ingest, as for detect: KIND:PATH address lists (tor, vpn,
                         hosting, malicious) or a STIX 2.1 / MISP file for attribution (repeatable)
      --no-geo           skip the country/city/ASN lookups for ingested records
      --rules DIR        rule files for ingest (default: the rules shipped with Vigil)
      --lateness MIN     minutes ingested events may arrive out of order (default 10)
      --max-body BYTES   largest ingest body (default ${DEFAULT_MAX_BODY}, 10 MiB)
      --new-operator-token  create an operator token and print it after the address
  -h, --help             show this help

Stop with Ctrl-C. Exit status: 0 after a clean stop, 1 when the server cannot start, 2 on a usage error.`,
  async run(argv) {
    const { values } = parse(argv, {
      db: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      orgs: { type: 'string' },
      intel: { type: 'string', multiple: true },
      'no-geo': { type: 'boolean' },
      rules: { type: 'string' },
      lateness: { type: 'string' },
      'max-body': { type: 'string' },
      'new-operator-token': { type: 'boolean' },
    });
    if (values.help) {
      console.log(serve.usage);
      return 0;
    }
    const port = intOption(values.port, 'port', 0, 65535) ?? DEFAULT_PORT;
    const lateness = intOption(values.lateness, 'lateness', 0, 7 * 24 * 60) ?? 10;
    const maxBody = intOption(values['max-body'], 'max-body', 1024, 1 << 30) ?? DEFAULT_MAX_BODY;
    let server;
    try {
      server = await startServer({
        dbPath: values.db ?? 'vigil.db',
        host: values.host ?? DEFAULT_HOST,
        port,
        orgsFile: values.orgs ? resolve(values.orgs) : undefined,
        intel: (values.intel ?? []).map(parseIntelSpec),
        geo: !values['no-geo'],
        rulesDir: values.rules ? resolve(values.rules) : undefined,
        latenessMs: lateness * 60_000,
        maxBodyBytes: maxBody,
      });
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    const err = process.stderr;
    err.write(`Vigil is serving ${server.url} (dashboard, /api/v1, /metrics, /healthz); stop with Ctrl-C\n`);
    if (!server.dashboardBuilt) err.write('note: the dashboard is not built (run npm run build); the API works\n');
    if (values['new-operator-token']) {
      const { token, info } = createToken(server.db, { role: 'operator', name: 'vigil serve --new-operator-token' });
      err.write(`Operator token (${info.id}; shown once, revoke with 'vigil token revoke ${info.id}'):\n`);
      console.log(token);
    }
    await new Promise<void>((done) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        done();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    err.write('stopping: finishing requests in flight\n');
    await server.close();
    return 0;
  },
};
