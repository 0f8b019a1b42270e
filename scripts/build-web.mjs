#!/usr/bin/env node
// Builds the dashboard that `vigil serve` serves into dist/dashboard/ (or the folder given as the first argument):
// the TypeScript app bundled with its libraries (Apache ECharts, topojson-client) by esbuild, the stylesheet and
// page, the interface strings (one JSON file per language), the Arabic-script font for Urdu, and the country shapes: Natural Earth 1:50m from the
// world-atlas package, with ISO 3166-1 numeric ids turned into the alpha-2 codes findings use. Nothing is fetched
// at run time: the map has no tiles from the internet.
import { createRequire } from 'node:module';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(root, 'src', 'web');

/** Country codes world-atlas leaves without an ISO id (disputed or unrecognised areas). */
const UNNUMBERED = { Kosovo: 'XK', 'N. Cyprus': 'CY', Somaliland: 'SO' };

/** The world-atlas TopoJSON with each country's id replaced by its alpha-2 code. */
function countryShapes() {
  const countries = require('i18n-iso-countries');
  const topo = JSON.parse(readFileSync(require.resolve('world-atlas/countries-50m.json'), 'utf8'));
  const geometries = [];
  for (const g of topo.objects.countries.geometries) {
    const code = g.id !== undefined ? countries.numericToAlpha2(g.id) : UNNUMBERED[g.properties?.name];
    if (!code || code === 'AQ') continue; // Antarctica: no sign-ins from there, and it takes a third of the map
    geometries.push({ ...g, id: code, properties: { name: code } });
  }
  topo.objects = { countries: { ...topo.objects.countries, geometries } };
  return JSON.stringify(topo);
}

export async function buildDashboard(outDir = join(root, 'dist', 'dashboard')) {
  const esbuild = await import('esbuild');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, 'i18n'), { recursive: true });
  await esbuild.build({
    entryPoints: [join(web, 'main.ts')],
    bundle: true,
    format: 'esm',
    target: ['chrome110', 'firefox110', 'safari16'],
    minify: true,
    sourcemap: false,
    legalComments: 'linked',
    outfile: join(outDir, 'app.js'),
    logLevel: 'warning',
  });
  for (const f of ['index.html', 'styles.css', 'favicon.svg']) copyFileSync(join(web, f), join(outDir, f));
  // Urdu needs Arabic-script glyphs (ہ, ے, ں ...) that many systems lack: ship the font (Arabic subset only).
  mkdirSync(join(outDir, 'fonts'), { recursive: true });
  const fontDir = dirname(require.resolve('@fontsource/noto-sans-arabic/400.css'));
  for (const w of [400, 700]) copyFileSync(join(fontDir, 'files', `noto-sans-arabic-arabic-${w}-normal.woff2`), join(outDir, 'fonts', `noto-sans-arabic-${w}.woff2`));
  for (const f of readdirSync(join(web, 'i18n'))) {
    if (!f.endsWith('.json')) continue;
    // Parsed and written again: a broken translation file fails the build, not the browser.
    writeFileSync(join(outDir, 'i18n', f), JSON.stringify(JSON.parse(readFileSync(join(web, 'i18n', f), 'utf8'))));
  }
  writeFileSync(join(outDir, 'world.topo.json'), countryShapes());
  writeFileSync(
    join(outDir, 'NOTICE.txt'),
    'Country shapes: Natural Earth (public domain), via the world-atlas package (ISC licence).\n' +
      'Charts: Apache ECharts (Apache-2.0). TopoJSON decoding: topojson-client (ISC licence).\n' +
      'Arabic-script font: Noto Sans Arabic (SIL Open Font License 1.1), via @fontsource/noto-sans-arabic.\n',
  );
  return outDir;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = await buildDashboard(process.argv[2] ? resolve(process.argv[2]) : undefined);
  console.error(`dashboard built into ${out}`);
}
