/**
 * Whether this machine can run the desktop app: the Electron binary present
 * (offline installs have none), a display, and a binary that starts. Never
 * downloads anything and never fakes a runtime: the spec skips with the reason.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './console-process';

export type ElectronRuntime = { ok: true; bin: string } | { ok: false; reason: string };

export function probeElectronRuntime(): ElectronRuntime {
  const dir = path.join(ROOT, 'node_modules', 'electron');
  let rel: string;
  try {
    rel = fs.readFileSync(path.join(dir, 'path.txt'), 'utf8').trim();
  } catch {
    return { ok: false, reason: 'no Electron runtime: node_modules/electron has no binary (its download failed or was skipped at install)' };
  }
  const bin = path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(dir, 'dist'), rel);
  if (!fs.existsSync(bin)) return { ok: false, reason: `no Electron runtime: ${bin} does not exist` };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { ok: false, reason: 'no display for Electron (DISPLAY is not set; run the suite under xvfb-run)' };
  }
  const version = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  if (version.error || version.status !== 0) {
    return { ok: false, reason: `the Electron runtime does not start: ${version.error?.message ?? version.stderr.trim().split('\n')[0]}` };
  }
  return { ok: true, bin };
}
