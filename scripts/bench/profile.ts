/**
 * @module bench/profile
 * Where `vigil detect` spends its time: a V8 CPU profile (`node --cpu-prof`) summed by function (self time) and by
 * source file, so the hot spots can be read off the benchmark report.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './env.js';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface ProfileSummary {
  totalMs: number;
  functions: { name: string; where: string; selfMs: number; share: number }[];
  files: { file: string; selfMs: number; share: number }[];
}

function place(url: string): string {
  if (!url) return '(native / V8)';
  const path = url.startsWith('file://') ? url.slice(7) : url;
  if (path.startsWith('node:')) return path;
  const rel = relative(ROOT, path);
  return rel.startsWith('..') ? path : rel.replace(/^node_modules\/(\.pnpm\/)?/, 'node_modules/');
}

export function summariseProfile(dir: string, top = 25): ProfileSummary {
  const file = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort((a, b) => statSync(join(dir, b)).size - statSync(join(dir, a)).size)[0];
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  const p = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
  // Self time per node from the samples and the time deltas between them.
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  const byFn = new Map<string, { name: string; where: string; selfMs: number }>();
  const byFile = new Map<string, number>();
  let total = 0;
  for (const n of p.nodes) {
    const ms = self.get(n.id) ?? 0;
    if (!ms) continue;
    const name = n.callFrame.functionName || '(anonymous)';
    if (name === '(idle)') continue;
    total += ms;
    const where = place(n.callFrame.url);
    const key = `${name}\u0000${where}:${n.callFrame.lineNumber + 1}`;
    const e = byFn.get(key) ?? { name, where: n.callFrame.url ? `${where}:${n.callFrame.lineNumber + 1}` : where, selfMs: 0 };
    e.selfMs += ms;
    byFn.set(key, e);
    byFile.set(where, (byFile.get(where) ?? 0) + ms);
  }
  const share = (ms: number) => ms / total;
  return {
    totalMs: total,
    functions: [...byFn.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, top).map((f) => ({ ...f, share: share(f.selfMs) })),
    files: [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([file, selfMs]) => ({ file, selfMs, share: share(selfMs) })),
  };
}
