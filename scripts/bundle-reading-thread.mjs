// Part of the build: the reading thread's code (dist/ingest/reading-thread.js and the 37 modules it loads) as one
// file, dist/ingest/reading-thread.bundle.js, which `vigil detect` starts its reading thread with when it is there
// (ingest/thread-start.ts). Loading one file instead of 38 took the thread 35 ms instead of 85-130 ms (a quiet
// machine, the modules' import alone), and every run's first event waits for it. The modules stay in dist for
// everything else; a build without esbuild (or a failed bundle) leaves the thread loading them one by one.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../dist/ingest/reading-thread.js', import.meta.url));
const outfile = fileURLToPath(new URL('../dist/ingest/reading-thread.bundle.js', import.meta.url));

try {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: false,
    logLevel: 'warning',
    // The packages bundled with it may be CommonJS and `require` Node's modules: give the module a `require` of its own.
    banner: { js: "import { createRequire as vigilCreateRequire } from 'node:module';\nconst require = vigilCreateRequire(import.meta.url);" },
  });
} catch (e) {
  rmSync(outfile, { force: true });
  process.stderr.write(`vigil build: note: the reading thread was not bundled (${e.message}); it loads its modules one by one\n`);
}
