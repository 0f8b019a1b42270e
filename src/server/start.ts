/**
 * @module server/start
 * Everything `vigil serve` sets up, as one call (also used by tests and `vigil demo`): open the store (migrations
 * applied), load the organisations file into it, the rules, enricher and intel catalogue for ingest (detection and
 * campaign joining as in `vigil detect`), the dashboard files, and listen. `close()` stops listening, waits for ingests in flight and closes the store.
 */
import { loadIntel } from '../campaigns/index.js';
import { DEFAULT_RULES_DIR, loadRules } from '../detect/rules.js';
import { Enricher, type IntelSpec } from '../enrich/index.js';
import { loadOrganisations } from '../orgs/organisations.js';
import { openStore, type Db } from '../store/db.js';
import { createApp } from './app.js';
import { DashboardAssets } from './assets.js';
import { saveOrganisations } from './directory.js';
import { IngestService } from './ingest.js';
import { listen } from './listen.js';
import { TokenVerifier } from './tokens.js';

export interface ServerOptions {
  dbPath: string;
  host?: string;
  port?: number;
  orgsFile?: string;
  intel?: IntelSpec[];
  geo?: boolean;
  rulesDir?: string;
  latenessMs?: number;
  maxBodyBytes?: number;
  dashboardDir?: string;
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  db: Db;
  dashboardBuilt: boolean;
  close(): Promise<void>;
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;

export async function startServer(o: ServerOptions): Promise<RunningServer> {
  const rules = await loadRules(o.rulesDir ?? DEFAULT_RULES_DIR);
  const orgs = o.orgsFile ? loadOrganisations(o.orgsFile) : undefined;
  const enricher = await Enricher.create({ intel: o.intel ?? [], geo: o.geo ?? true });
  const log = o.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const catalogue = loadIntel(o.intel ?? [], { warn: (m) => log(`vigil serve: warning: ${m}`) });
  const db = openStore(o.dbPath);
  try {
    if (orgs) saveOrganisations(db, orgs.organisations);
    const ingest = new IngestService({ db, rules, enricher, latenessMs: o.latenessMs, campaigns: { catalogue, orgs } });
    const assets = DashboardAssets.load(o.dashboardDir);
    const app = createApp({ db, verifier: new TokenVerifier(db), ingest, assets, maxBodyBytes: o.maxBodyBytes, log });
    const l = await listen(app, o.host ?? DEFAULT_HOST, o.port ?? DEFAULT_PORT);
    return {
      url: l.url,
      port: l.port,
      db,
      dashboardBuilt: assets.built,
      async close() {
        await l.close();
        await ingest.close();
        db.close();
      },
    };
  } catch (e) {
    db.close();
    throw e;
  }
}
