/**
 * @module server/tokens
 * API tokens: `vgl_` and 32 random bytes in base64url, shown once at creation and stored only as a SHA-256 hash.
 * A token is either the operator's (sees everything) or bound to one organisation (tenant). Verification hashes
 * the presented token, finds the row by hash and compares the hashes in constant time; the hash of a guess tells an
 * attacker nothing about a real token, so the index lookup leaks nothing useful either.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../store/db.js';

export const TOKEN_PREFIX = 'vgl_';
const TOKEN_BYTES = 32;
/** `vgl_` + 43 base64url characters. */
const TOKEN_SHAPE = /^vgl_[A-Za-z0-9_-]{43}$/;
/** Writing last-used times at most this often per token keeps reads from turning into writes. */
const TOUCH_EVERY_MS = 60_000;

export type Principal = { role: 'operator'; tokenId: string } | { role: 'org'; tenant: string; tokenId: string };

export interface TokenInfo {
  id: string;
  role: 'operator' | 'org';
  tenant: string | null;
  name: string | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export type NewToken = { role: 'operator'; name?: string } | { role: 'org'; tenant: string; name?: string };

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function createToken(db: Db, spec: NewToken, now = Date.now()): { token: string; info: TokenInfo } {
  if (spec.role === 'org' && !spec.tenant.trim()) throw new Error('an organisation token needs a tenant id');
  const token = TOKEN_PREFIX + randomBytes(TOKEN_BYTES).toString('base64url');
  const id = 'tok_' + randomBytes(6).toString('hex');
  const tenant = spec.role === 'org' ? spec.tenant : null;
  db.prepare('INSERT INTO api_tokens (id, token_hash, role, tenant, name, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
    id, hashToken(token).toString('hex'), spec.role, tenant, spec.name ?? null, now);
  return { token, info: { id, role: spec.role, tenant, name: spec.name ?? null, created_at: now, last_used_at: null, revoked_at: null } };
}

export function listTokens(db: Db): TokenInfo[] {
  return db.prepare('SELECT id, role, tenant, name, created_at, last_used_at, revoked_at FROM api_tokens ORDER BY created_at, id').all() as TokenInfo[];
}

/** Revokes a token by id; false when there is no such token or it was already revoked. */
export function revokeToken(db: Db, id: string, now = Date.now()): boolean {
  return db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id).changes === 1;
}

/** Checks presented tokens against the store; remembers when each was last used. */
export class TokenVerifier {
  private readonly byHash;
  private readonly touch;
  private readonly touched = new Map<string, number>();

  constructor(db: Db) {
    this.byHash = db.prepare('SELECT id, token_hash, role, tenant FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL');
    this.touch = db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?');
  }

  verify(token: string, now = Date.now()): Principal | undefined {
    if (!TOKEN_SHAPE.test(token)) return undefined;
    const hash = hashToken(token);
    const row = this.byHash.get(hash.toString('hex')) as { id: string; token_hash: string; role: string; tenant: string | null } | undefined;
    if (!row || !timingSafeEqual(Buffer.from(row.token_hash, 'hex'), hash)) return undefined;
    this.noteUse(row.id, now);
    if (row.role === 'operator') return { role: 'operator', tokenId: row.id };
    if (row.role === 'org' && row.tenant) return { role: 'org', tenant: row.tenant, tokenId: row.id };
    return undefined;
  }

  private noteUse(id: string, now: number): void {
    const last = this.touched.get(id) ?? 0;
    if (now - last < TOUCH_EVERY_MS) return;
    this.touched.set(id, now);
    try {
      this.touch.run(now, id);
    } catch {
      // The store is busy (a detect run is checkpointing): the last-used time is a courtesy, not worth a failure.
    }
  }
}
