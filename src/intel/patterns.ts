/**
 * @module intel/patterns
 * The part of the STIX 2.1 patterning language that indicators about sign-in infrastructure use: comparisons of
 * `ipv4-addr:value` / `ipv6-addr:value` (`=` an address or block, `ISSUBSET` a block), `domain-name:value`,
 * an HTTP `User-Agent` header and `autonomous-system:number`, joined by OR inside or between observations.
 * Conjunctions (AND, FOLLOWEDBY) are refused rather than half-read: an indicator that needs two things at once
 * must not match on one of them. Qualifiers (WITHIN, START/STOP, REPEATS) are ignored.
 */
import { parseCidr, type IpRange } from '../enrich/ip-address.js';
import type { IndicatorKind } from './types.js';

export interface PatternValue {
  kind: IndicatorKind;
  value: string;
  range?: IpRange;
}

export type PatternResult = { ok: true; values: PatternValue[] } | { ok: false; reason: string };

type Token = { t: 'punct' | 'word' | 'string' | 'number' | 'op'; v: string };

function tokenize(src: string): Token[] | string {
  const out: Token[] = [];
  let i = 0;
  const readString = (): string | undefined => {
    let s = '';
    for (i++; i < src.length; i++) {
      const c = src[i];
      if (c === '\\' && i + 1 < src.length) s += src[++i];
      else if (c === "'") {
        i++;
        return s;
      } else s += c;
    }
    return undefined;
  };
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) i++;
    else if ('[]()'.includes(c)) out.push({ t: 'punct', v: src[i++] });
    else if (c === "'") {
      const s = readString();
      if (s === undefined) return 'unterminated string';
      out.push({ t: 'string', v: s });
    } else if (/[tbh]/.test(c) && src[i + 1] === "'") {
      i++; // typed literal t'...' / b'...' / h'...': the text is enough here
      const s = readString();
      if (s === undefined) return 'unterminated string';
      out.push({ t: 'string', v: s });
    } else if (/[=!<>]/.test(c)) {
      const m = /^(!=|<=|>=|=|<|>)/.exec(src.slice(i));
      if (!m) return `unexpected '${c}'`;
      out.push({ t: 'op', v: m[1] });
      i += m[1].length;
    } else if (/[-+0-9]/.test(c) && /^[-+]?\d/.test(src.slice(i))) {
      const m = /^[-+]?\d+(\.\d+)?/.exec(src.slice(i))!;
      out.push({ t: 'number', v: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      // An object path may hold quoted segments: network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'
      let w = '';
      while (i < src.length) {
        if (/[A-Za-z0-9_\-:.*]/.test(src[i])) w += src[i++];
        else if (src[i] === "'" && w.endsWith('.')) {
          const s = readString();
          if (s === undefined) return 'unterminated string';
          w += `'${s}'`;
        } else break;
      }
      out.push({ t: 'word', v: w });
    } else return `unexpected '${c}'`;
  }
  return out;
}

function comparisonValue(path: string, op: string, tok: Token): PatternValue | string {
  const p = path.toLowerCase();
  if (p === 'ipv4-addr:value' || p === 'ipv6-addr:value') {
    if (op !== '=' && op !== 'ISSUBSET') return `operator ${op} on ${path}`;
    const range = parseCidr(tok.v);
    return range ? { kind: 'ip', value: tok.v, range } : `not an address or block: ${tok.v}`;
  }
  if (p === 'domain-name:value') return op === '=' ? { kind: 'domain', value: tok.v.toLowerCase() } : `operator ${op} on ${path}`;
  if (p.endsWith(".'user-agent'") || p === 'user-agent:value') return op === '=' ? { kind: 'user-agent', value: tok.v } : `operator ${op} on ${path}`;
  if (p === 'autonomous-system:number') return op === '=' && /^\d+$/.test(tok.v) ? { kind: 'asn', value: tok.v } : `operator ${op} on ${path}`;
  return `unsupported object path ${path}`;
}

/** Reads a STIX pattern into the values any of which makes it match, or says why it cannot be used. */
export function parseStixPattern(pattern: string): PatternResult {
  const toks = tokenize(pattern);
  if (typeof toks === 'string') return { ok: false, reason: toks };
  const values: PatternValue[] = [];
  let depth = 0;
  for (let i = 0; i < toks.length; i++) {
    const k = toks[i];
    if (k.t === 'punct') {
      if (k.v === '[') depth++;
      else if (k.v === ']') depth--;
      continue;
    }
    if (k.t === 'word') {
      const kw = k.v.toUpperCase();
      if (kw === 'OR') continue;
      if (kw === 'AND' || kw === 'FOLLOWEDBY') return { ok: false, reason: `${kw} is not supported (only OR)` };
      if (depth === 0) {
        // Qualifiers after an observation: WITHIN n SECONDS, START t'..' STOP t'..', REPEATS n TIMES.
        if (['WITHIN', 'START', 'STOP', 'REPEATS', 'SECONDS', 'TIMES'].includes(kw)) continue;
        return { ok: false, reason: `unexpected ${k.v}` };
      }
      const op = toks[i + 1];
      let opText = op?.v;
      const valueAt = i + 2;
      if (op?.t === 'word' && op.v.toUpperCase() === 'NOT') return { ok: false, reason: 'NOT is not supported' };
      if (op?.t === 'word') opText = op.v.toUpperCase();
      const val = toks[valueAt];
      if (!op || !val || (val.t !== 'string' && val.t !== 'number')) return { ok: false, reason: `incomplete comparison on ${k.v}` };
      const v = comparisonValue(k.v, opText!, val);
      if (typeof v === 'string') return { ok: false, reason: v };
      values.push(v);
      i = valueAt;
      continue;
    }
    if (depth === 0 && (k.t === 'number' || k.t === 'string')) continue; // qualifier arguments
    return { ok: false, reason: `unexpected ${k.v}` };
  }
  if (depth !== 0) return { ok: false, reason: 'unbalanced brackets' };
  if (!values.length) return { ok: false, reason: 'no comparison' };
  return { ok: true, values };
}
