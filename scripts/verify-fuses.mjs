// Reads the fuse wire of every app electron-builder packaged into a dist folder
// and checks it against RELEASE_FUSES in electron-builder.config.ts, so a
// release never ships a binary whose fuses were not flipped as configured.
//
//   npx tsx scripts/verify-fuses.mjs [dist]     (tsx: the config is TypeScript)
//
// Exit 0 with one line per app checked; exit 1 naming every fuse that differs.
import fs from 'node:fs';
import path from 'node:path';
import { FuseState, FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { RELEASE_FUSES } from '../electron-builder.config.ts';

const dist = path.resolve(process.argv[2] ?? 'dist');

/** electron-builder's unpacked apps: linux-unpacked/, win-unpacked/, mac/ and mac-arm64/. */
function packagedApps() {
  const names = ['crawl-console', 'Crawl Console.exe', 'Crawl Console.app'];
  let dirs;
  try {
    dirs = fs.readdirSync(dist, { withFileTypes: true }).filter((d) => d.isDirectory());
  } catch {
    return [];
  }
  return dirs.flatMap((d) => names.map((n) => path.join(dist, d.name, n)).filter((p) => fs.existsSync(p)));
}

/** RELEASE_FUSES keys are @electron/fuses option names with a lower-case first letter. */
function expectedWire() {
  return Object.entries(RELEASE_FUSES).map(([key, on]) => {
    const name = key[0].toUpperCase() + key.slice(1);
    const index = FuseV1Options[name];
    if (typeof index !== 'number') throw new Error(`RELEASE_FUSES.${key} is not a fuse @electron/fuses knows`);
    return { name, index, state: on ? FuseState.ENABLE : FuseState.DISABLE };
  });
}

const apps = packagedApps();
if (apps.length === 0) {
  console.error(`No packaged app found in ${dist} (expected */crawl-console, */Crawl Console.exe or */Crawl Console.app).`);
  process.exit(1);
}
const expected = expectedWire();
let failed = false;
for (const app of apps) {
  const wire = await getCurrentFuseWire(app);
  const wrong = expected.filter(({ index, state }) => wire[index] !== state);
  for (const { name, index, state } of wrong) {
    console.error(`${path.relative(dist, app)}: fuse ${name} is ${FuseState[wire[index]] ?? 'missing'}, expected ${FuseState[state]}`);
  }
  if (wrong.length === 0) console.log(`${path.relative(dist, app)}: all ${expected.length} release fuses set`);
  failed ||= wrong.length > 0;
}
process.exit(failed ? 1 : 0);
