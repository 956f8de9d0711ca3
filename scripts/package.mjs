// `npm run package`: builds the installers for this platform and this machine's
// architecture into dist/ (Linux: AppImage + deb, macOS: dmg, Windows: NSIS).
// The release workflow builds every architecture; this is the local equivalent.
//
// electron-builder needs the Electron runtime for the target (a zip from the
// Electron download host). Before building anything this checks that it can be
// had: Electron's own npm install (node_modules/electron/dist), a cached zip, or
// a short HEAD request to the download host. Where none works it stops with one
// sentence and exit code 1 instead of a long download error.
//
//   node scripts/package.mjs           check, build, package
//   node scripts/package.mjs --check   only the check (exit 0: can package here)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
process.chdir(root);
const checkOnly = process.argv.includes('--check');
const { platform, arch } = process;

const fail = (sentence) => {
  process.stderr.write(`${sentence}\n`);
  process.exit(1);
};

let version;
try {
  version = JSON.parse(fs.readFileSync(path.join('node_modules', 'electron', 'package.json'), 'utf8')).version;
} catch {
  fail('Cannot package: the electron package is not installed; run npm install first.');
}
const zipName = `electron-v${version}-${platform}-${arch}.zip`;

/** Electron's npm install unpacked the runtime for this machine (ELECTRON_OVERRIDE_DIST_PATH as Electron reads it). */
function installedDist() {
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH || path.join(root, 'node_modules', 'electron', 'dist');
  try {
    return fs.readFileSync(path.join(dist, 'version'), 'utf8').trim().replace(/^v/, '') === version ? dist : null;
  } catch {
    return null;
  }
}

/** Where @electron/get (Electron's npm install) and electron-builder keep downloaded zips. */
function cacheRoots() {
  const home = os.homedir();
  const userCache =
    platform === 'darwin' ? path.join(home, 'Library', 'Caches')
    : platform === 'win32' ? (process.env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'))
    : (process.env.XDG_CACHE_HOME || path.join(home, '.cache'));
  const sub = platform === 'win32' ? 'Cache' : '';
  return [
    process.env.ELECTRON_CACHE,
    path.join(userCache, 'electron', sub),
    process.env.ELECTRON_BUILDER_CACHE,
    path.join(userCache, 'electron-builder', sub),
  ].filter(Boolean);
}

/** A cached runtime zip: directly in a cache root or up to two folders down (hashed URL folders). */
function cachedZip() {
  const search = (dir, depth) => {
    let entries;
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return null;
    }
    for (const e of entries) if (e.isFile() && e.name === zipName) return path.join(dir, e.name);
    if (depth === 0) return null;
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const found = search(path.join(dir, e.name), depth - 1);
      if (found) return found;
    }
    return null;
  };
  for (const dir of cacheRoots()) {
    const found = search(dir, 2);
    if (found) return found;
  }
  return null;
}

/** Whether the download host answers for this zip, within a few seconds; quiet on any failure. */
async function downloadReachable() {
  // Behind a proxy Node's fetch cannot tell (it ignores HTTPS_PROXY): let electron-builder try.
  if (process.env.HTTPS_PROXY || process.env.https_proxy) return true;
  const mirror = process.env.ELECTRON_MIRROR || 'https://github.com/electron/electron/releases/download/';
  const dir = process.env.ELECTRON_CUSTOM_DIR || `v${version}`;
  const url = `${mirror.endsWith('/') ? mirror : `${mirror}/`}${dir}/${zipName}`;
  try {
    const res = await fetch(url, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(4000) });
    return res.status < 400; // the host redirects to its storage: a 3xx is a yes
  } catch {
    return false;
  }
}

const dist = installedDist();
const reachable = (dist ?? cachedZip()) !== null || (await downloadReachable());
if (!reachable) {
  fail(
    `Cannot package here: the Electron runtime (v${version} for ${platform}-${arch}) is not installed and cannot be ` +
      'downloaded from this machine; run npm run package on a machine with internet access.',
  );
}
if (checkOnly) {
  console.log(`Can package here: Electron v${version} for ${platform}-${arch} ${dist ? `is installed in ${dist}` : 'can be obtained'}.`);
  process.exit(0);
}

const npx = (args) => {
  // Windows needs a shell for npx.cmd, and the shell splits unquoted paths at spaces.
  const quoted = platform === 'win32' ? args.map((a) => (/\s/.test(a) ? `"${a}"` : a)) : args;
  const r = spawnSync('npx', quoted, { stdio: 'inherit', shell: platform === 'win32' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
const platformFlag = { darwin: '--mac', win32: '--win', linux: '--linux' }[platform];
if (!platformFlag) fail(`Cannot package: electron-builder has no installers for ${platform}.`);

npx(['electron-vite', 'build']);
npx([
  'electron-builder',
  '--config', 'electron-builder.config.ts',
  platformFlag,
  `--${arch}`,
  '--publish', 'never',
  // Reuse the runtime Electron's npm install unpacked instead of downloading it again.
  ...(dist ? [`-c.electronDist=${dist}`] : []),
]);
console.log(`Installers written to ${path.join(root, 'dist')}`);
