// `npm start`: builds, then launches the desktop app. Where the Electron
// runtime cannot be obtained or started (offline install, no display, running
// as root), it says so in one sentence and runs the headless console instead,
// which prints the URL to open. It never pretends a runtime is there.
//
// Arguments after `npm start --` go to whichever console starts
// (e.g. `npm start -- --data-dir /tmp/console --socket /tmp/c.sock`).
// CRAWL_CONSOLE_HEADLESS=1 skips the desktop app.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);

const electronDir = path.join(root, 'node_modules', 'electron');

/**
 * The Electron binary's path, or null when the package has no binary (its
 * download failed or was skipped). Read from the package's path.txt rather than
 * `require('electron')`, which would start a noisy download attempt of its own.
 */
function electronBinary() {
  try {
    const rel = fs.readFileSync(path.join(electronDir, 'path.txt'), 'utf8').trim();
    const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(electronDir, 'dist');
    const bin = path.join(dist, rel);
    return fs.existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

const firstLine = (text) => (text ?? '').toString().split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? '';

/** @returns {{ ok: true, bin: string } | { ok: false, reason: string }} */
export function probeElectron() {
  if (process.env.CRAWL_CONSOLE_HEADLESS === '1') return { ok: false, reason: 'CRAWL_CONSOLE_HEADLESS=1 is set' };
  if (!fs.existsSync(path.join(electronDir, 'package.json'))) return { ok: false, reason: 'the electron package is not installed' };
  let bin = electronBinary();
  if (!bin) {
    if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return { ok: false, reason: 'its binary was not downloaded (ELECTRON_SKIP_BINARY_DOWNLOAD is set)' };
    // The electron package downloads its binary on install; offline installs end up without one. Try once more.
    console.log('The Electron binary is missing; trying to download it…');
    const download = spawnSync(process.execPath, [path.join(electronDir, 'install.js')], { cwd: electronDir, encoding: 'utf8', timeout: 120_000 });
    bin = electronBinary();
    if (!bin) {
      const why = download.error?.message ?? (firstLine(download.stderr.split('\n').find((l) => /error/i.test(l))) || `the installer exited with status ${download.status}`);
      return { ok: false, reason: `its binary is not installed and the download failed: ${why}` };
    }
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { ok: false, reason: 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
  }
  if (process.platform === 'linux' && process.getuid?.() === 0) {
    return { ok: false, reason: "Chromium's sandbox refuses to run as root" };
  }
  const version = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  if (version.error || version.status !== 0) {
    const why = version.error?.message ?? (firstLine(version.stderr) || `it exited with status ${version.status}`);
    return { ok: false, reason: `it does not start: ${why}` };
  }
  return { ok: true, bin };
}

function run(cmd, cmdArgs) {
  return new Promise((resolve) => {
    const child = spawn(cmd, cmdArgs, { cwd: root, stdio: 'inherit' });
    // Ctrl+C reaches the child through the terminal; a SIGTERM sent to this script is passed on.
    const forward = () => child.kill('SIGTERM');
    process.on('SIGTERM', forward);
    process.on('SIGINT', () => undefined); // let the child handle it and report its own exit
    child.on('error', (error) => resolve({ code: 1, error }));
    child.on('exit', (code, signal) => {
      process.off('SIGTERM', forward);
      resolve({ code: code ?? (signal ? 1 : 0) });
    });
  });
}

async function main() {
  console.log('Building (electron-vite build)…');
  // Quiet unless it fails (electron-vite also reports a missing Electron binary on stderr; the probe below says it in one sentence).
  const build = spawnSync('npx', ['electron-vite', 'build'], { cwd: root, encoding: 'utf8', shell: process.platform === 'win32' });
  if (build.status !== 0) {
    process.stderr.write(`${build.stdout ?? ''}${build.stderr ?? ''}`);
    console.error('The build failed (see above); fix it and run npm start again.');
    return 1;
  }

  const electron = probeElectron();
  if (electron.ok) {
    console.log('Starting the desktop app…');
    const result = await run(electron.bin, [root, ...args]);
    if (!result.error) return result.code;
    console.log(`The Electron runtime is not available here (it could not be launched: ${result.error.message}); starting the headless console instead.`);
  } else {
    console.log(`The Electron runtime is not available here (${electron.reason}); starting the headless console instead.`);
  }
  const headless = await run(process.execPath, [path.join(root, 'bin', 'crawl-console.js'), 'serve', ...args]);
  return headless.code;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  process.exitCode = await main();
}
