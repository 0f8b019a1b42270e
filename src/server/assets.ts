/**
 * @module server/assets
 * The dashboard's static files (built by `scripts/build-web.mjs` into `dist/dashboard/`), read once into memory
 * with a gzip copy and an ETag each: the whole dashboard is a few hundred KiB, so serving from memory is simplest
 * and fastest. Missing files are a clear 404, never a crash.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** Where the build puts the dashboard, relative to this module both in `src/server` (tsx) and `dist/server`. */
export const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL('../../dist/dashboard/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};

export interface Asset {
  type: string;
  body: Uint8Array;
  gzip?: Uint8Array;
  etag: string;
}

export class DashboardAssets {
  private constructor(
    readonly dir: string,
    private readonly files: Map<string, Asset>,
  ) {}

  /** Reads every file under `dir`; an absent folder gives an empty set (the API still works). */
  static load(dir = DEFAULT_DASHBOARD_DIR): DashboardAssets {
    const files = new Map<string, Asset>();
    if (existsSync(dir)) {
      const walk = (d: string) => {
        for (const name of readdirSync(d).sort()) {
          const p = join(d, name);
          if (statSync(p).isDirectory()) walk(p);
          else {
            const body = readFileSync(p);
            const type = TYPES[extname(name)] ?? 'application/octet-stream';
            const gz = type.startsWith('image/png') ? undefined : gzipSync(body, { level: 9 });
            const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
            files.set('/' + relative(dir, p).split(sep).join('/'), { type, body, gzip: gz && gz.length < body.length ? gz : undefined, etag });
          }
        }
      };
      walk(dir);
    }
    return new DashboardAssets(dir, files);
  }

  get built(): boolean {
    return this.files.has('/index.html');
  }

  get(path: string): Asset | undefined {
    return this.files.get(path === '/' ? '/index.html' : path);
  }
}
