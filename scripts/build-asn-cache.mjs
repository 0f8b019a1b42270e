// Part of the build: parses the ASN tables of @ip-location-db/asn once and writes them beside dist/enrich/asn.js,
// so that runs read them in milliseconds (see src/enrich/asn-cache.ts). Without them runs parse the CSV, as before.
import { buildAsnCache } from '../dist/enrich/asn.js';

for (const family of [4, 6]) {
  try {
    buildAsnCache(family);
  } catch (e) {
    process.stderr.write(`vigil build: note: the IPv${family} ASN table was not cached (${e.message}); runs will read the CSV\n`);
  }
}
