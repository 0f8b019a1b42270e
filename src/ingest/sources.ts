/**
 * @module ingest/sources
 * Turns the command line's INPUT arguments (files, directories, globs, `-`) into an ordered list of sources,
 * and opens each as a stream of bytes, un-gzipping when the content (not the name) says gzip.
 */
import { createReadStream, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { globSync } from 'tinyglobby';

export interface Source {
  /** Display name: the path, or `-` for standard input. */
  name: string;
  /** Modification time (epoch ms), used as the default year of year-less syslog stamps. */
  mtime?: number;
  size?: number;
}

export class InputError extends Error {}

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (st.isFile()) out.push(p);
  }
}

/** Expand inputs in the order given; directories recursively and sorted; globs sorted. */
export function expandInputs(inputs: string[]): Source[] {
  const out: Source[] = [];
  for (const input of inputs) {
    if (input === '-') {
      out.push({ name: '-' });
      continue;
    }
    let paths: string[];
    if (/[*?[\]{}]/.test(input)) {
      paths = globSync(input, { onlyFiles: true, absolute: false, expandDirectories: false }).sort();
      if (paths.length === 0) throw new InputError(`no files match ${input}`);
    } else {
      let st;
      try {
        st = statSync(input);
      } catch {
        throw new InputError(`cannot read ${input}: no such file or directory`);
      }
      if (st.isDirectory()) {
        paths = [];
        walk(input, paths);
      } else paths = [input];
    }
    for (const p of paths) {
      const st = statSync(p);
      out.push({ name: p, mtime: st.mtimeMs, size: st.size });
    }
  }
  return out;
}

/** Bytes of a source, gunzipped when it starts with the gzip magic number. */
export async function* openBytes(src: Source, stdin: NodeJS.ReadableStream = process.stdin): AsyncGenerator<Buffer> {
  const raw: AsyncIterable<Buffer> = src.name === '-' ? (stdin as AsyncIterable<Buffer>) : createReadStream(src.name, { highWaterMark: 1 << 20 });
  const it = raw[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head: Buffer = first.value;
  async function* rest(): AsyncGenerator<Buffer> {
    yield head;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value;
    }
  }
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = Readable.from(rest()).pipe(createGunzip());
    try {
      for await (const chunk of gunzip) yield chunk as Buffer;
    } catch (e) {
      throw new InputError(`${src.name}: corrupt gzip data (${(e as Error).message})`);
    }
  } else {
    yield* rest();
  }
}
