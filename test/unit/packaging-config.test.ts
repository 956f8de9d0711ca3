/**
 * The installer configuration (electron-builder.config.ts), checked without
 * downloading Electron: targets, fuses, which files are packaged, icons, and
 * that nothing the app imports at run time is a devDependency. File patterns
 * are evaluated with electron-builder's own matcher; a last block packages
 * the built app for real against a stand-in Electron runtime (a file carrying
 * a real fuse wire) and inspects the resulting app.asar.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { extractFile, listPackage } from '@electron/asar';
import { FuseState, FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { FileMatcher } from 'app-builder-lib/out/fileMatcher.js';
import type { Configuration } from 'electron-builder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import config, { APP_FILES, RELEASE_FUSES, fileProtocolConflict, platformFiles } from '../../electron-builder.config';

const ROOT = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  main: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const ELECTRON_VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/electron/package.json'), 'utf8')) as { version: string }).version;

type PlatformKey = 'linux' | 'mac' | 'win';
type PlatformOptions = NonNullable<Configuration['linux'] | Configuration['mac'] | Configuration['win']>;
const PREBUILD_PLATFORM = { linux: 'linux', mac: 'darwin', win: 'win32' } as const;

function platformOptions(key: PlatformKey): PlatformOptions {
  const options = config[key];
  if (!options) throw new Error(`config.${key} is missing`);
  return options;
}

/** A platform's targets as { target, arch[] }, whichever shape the config uses. */
function targetsOf(key: PlatformKey): { target: string; arch: string[] }[] {
  const t = platformOptions(key).target;
  const list = t == null ? [] : Array.isArray(t) ? t : [t];
  return list.map((x) =>
    typeof x === 'string' ? { target: x, arch: [] } : { target: x.target, arch: x.arch == null ? [] : Array.isArray(x.arch) ? [...x.arch] : [x.arch] },
  );
}

/** The string patterns of a files-like option (FileSet objects contribute their filters). */
function patternsOf(value: PlatformOptions['files'] | Configuration['asarUnpack']): string[] {
  const list = value == null ? [] : Array.isArray(value) ? value : [value];
  return list.flatMap((x) => (typeof x === 'string' ? [x] : x.filter == null ? [] : Array.isArray(x.filter) ? x.filter : [x.filter]));
}

const expandArch = (arch: string) => (pattern: string) => pattern.replaceAll('${arch}', arch);
const someFileStat = fs.statSync(path.join(ROOT, 'package.json'));

/** Whether electron-builder copies `relative` (from the project root) into the app, for `platform` and `arch`. */
function packagesAppFile(key: PlatformKey, arch: string, relative: string): boolean {
  const files = patternsOf(platformOptions(key).files);
  const filter = new FileMatcher(ROOT, '/app', expandArch(arch), files).createFilter();
  return filter(path.join(ROOT, relative), someFileStat);
}

/**
 * Whether electron-builder copies a file of a production dependency. Inside
 * node_modules it applies "**\/*" and then only the negated patterns of
 * `files` (app-builder-lib getNodeModuleFileMatcher), to paths relative to the app.
 */
function packagesModuleFile(key: PlatformKey, arch: string, moduleRelative: string): boolean {
  const negations = patternsOf(platformOptions(key).files).filter((p) => p.startsWith('!'));
  const filter = new FileMatcher(ROOT, '/app', expandArch(arch), ['**/*', ...negations]).createFilter();
  const absolute = path.join(ROOT, moduleRelative);
  const stat = Object.assign(fs.existsSync(absolute) ? fs.statSync(absolute) : someFileStat, { moduleFullFilePath: moduleRelative });
  return filter(absolute, stat);
}

function pngSize(buf: Buffer): { width: number; height: number } {
  expect(buf.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex'))).toBe(true);
  expect(buf.toString('latin1', 12, 16)).toBe('IHDR');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

describe('installer targets and identity', () => {
  it('names the app and its id', () => {
    expect(config.appId).toBe('org.crawlconsole.app');
    expect(config.productName).toBe('Crawl Console');
    expect(config.directories?.output).toBe('dist');
    expect(config.artifactName).not.toMatch(/\$\{productName\}/); // no spaces in asset names
  });

  it('builds AppImage and deb on Linux, with the fields a deb requires', () => {
    expect(targetsOf('linux').map((t) => t.target).sort()).toEqual(['AppImage', 'deb']);
    const linux = platformOptions('linux') as NonNullable<Configuration['linux']>;
    expect(linux.category).toBe('Development');
    expect(linux.maintainer).toMatch(/^.+ <[^@\s]+@[^@\s]+>$/);
    expect(linux.executableName).toBe('crawl-console');
  });

  it('builds a dmg per architecture on macOS, hardened, in Developer Tools', () => {
    const [dmg, ...rest] = targetsOf('mac');
    expect(rest).toEqual([]);
    expect(dmg?.target).toBe('dmg');
    expect(dmg?.arch.sort()).toEqual(['arm64', 'x64']);
    const mac = platformOptions('mac') as NonNullable<Configuration['mac']>;
    expect(mac.hardenedRuntime).toBe(true);
    expect(mac.category).toBe('public.app-category.developer-tools');
    for (const plist of [mac.entitlements, mac.entitlementsInherit]) {
      expect(plist).toBeTruthy();
      const text = fs.readFileSync(path.join(ROOT, plist as string), 'utf8');
      expect(text).toContain('com.apple.security.cs.allow-jit');
    }
  });

  it('builds a per-user assisted NSIS installer on Windows', () => {
    expect(targetsOf('win').map((t) => t.target)).toEqual(['nsis']);
    expect(config.nsis?.oneClick).toBe(false);
    expect(config.nsis?.perMachine).toBe(false);
  });

  it('registers no file associations or URL schemes, and never rebuilds native modules', () => {
    expect(config.fileAssociations ?? []).toEqual([]);
    expect(config.protocols ?? []).toEqual([]);
    expect(config.npmRebuild).toBe(false);
    expect(config.nodeGypRebuild ?? false).toBe(false);
    expect(config.buildDependenciesFromSource ?? false).toBe(false);
  });
});

describe('release fuses', () => {
  it('sets the fuses the release needs', () => {
    expect(RELEASE_FUSES).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
    expect(config.electronFuses).toMatchObject(RELEASE_FUSES);
  });

  it('uses only fuse names @electron/fuses knows', () => {
    for (const key of Object.keys(RELEASE_FUSES)) {
      const name = key[0]!.toUpperCase() + key.slice(1);
      expect(FuseV1Options[name as keyof typeof FuseV1Options], key).toBeTypeOf('number');
    }
  });

  it('refuses to package a window loaded from file:// while the file-protocol fuse is off', () => {
    expect(fileProtocolConflict(RELEASE_FUSES, 'void window.loadFile(renderer.file);')).toMatch(/blank window/);
    expect(fileProtocolConflict(RELEASE_FUSES, "void window.loadURL('app://console/index.html');")).toBeNull();
    expect(fileProtocolConflict({ ...RELEASE_FUSES, grantFileProtocolExtraPrivileges: true }, 'window.loadFile(f)')).toBeNull();
  });
});

describe('what is packaged', () => {
  const platforms: PlatformKey[] = ['linux', 'mac', 'win'];

  it.each(platforms)('%s: the built app and package.json, nothing else from the repository', (key) => {
    for (const file of ['out/main/index.js', 'out/main/chunks/serve-x.js', 'out/preload/index.cjs', 'out/renderer/index.html', 'package.json']) {
      expect(packagesAppFile(key, 'x64', file), file).toBe(true);
    }
    const never = [
      'src/main/index.ts', 'src/shared/protocol/index.ts', 'test/unit/config.test.ts', 'test/fixtures/data.json',
      'e2e/electron.spec.ts', 'bench/run.ts', 'docs/screenshots/first-screen.png', '.tmp/vitest.json',
      'coverage/index.html', 'playwright-report/index.html', 'test-results/results.json', 'resources/icon.svg',
      'scripts/package.mjs', 'electron-builder.config.ts', 'electron.vite.config.ts', 'tsconfig.json',
      'README.md', '.github/workflows/release.yml', 'out/main/index.js.map', 'dist/linux-unpacked/crawl-console',
    ];
    for (const file of never) expect(packagesAppFile(key, 'x64', file), file).toBe(false);
  });

  it.each(platforms)("%s: only the target's better-sqlite3 binary, for each packaged architecture", (key) => {
    const prebuilds = fs.readdirSync(path.join(ROOT, 'node_modules/better-sqlite3/prebuilds'));
    expect(prebuilds.length).toBeGreaterThan(1);
    for (const { arch: archs } of targetsOf(key)) {
      for (const arch of archs) {
        const kept = prebuilds.filter((f) => packagesModuleFile(key, arch, `node_modules/better-sqlite3/prebuilds/${f}`));
        expect(kept, `${key} ${arch}`).toEqual([`${PREBUILD_PLATFORM[key]}-${arch}.node`]);
        expect(packagesModuleFile(key, arch, 'node_modules/better-sqlite3/lib/binding.js')).toBe(true);
        expect(packagesModuleFile(key, arch, 'node_modules/better-sqlite3/deps/sqlite3/sqlite3.c')).toBe(false);
      }
    }
  });

  it('lists the whole file set per platform and none at the top level', () => {
    // A top-level `files` plus platform `files` makes electron-builder start from "everything".
    expect(config.files).toBeUndefined();
    for (const key of platforms) expect(patternsOf(platformOptions(key).files), key).toEqual(platformFiles(PREBUILD_PLATFORM[key]));
  });

  it('unpacks better-sqlite3 binaries from the asar', () => {
    const unpack = patternsOf(config.asarUnpack);
    expect(unpack).toContain('node_modules/better-sqlite3/**/*.node');
  });

  it('names no devDependency in any packaged file pattern', () => {
    const patterns = [
      ...APP_FILES,
      ...patternsOf(config.asarUnpack),
      ...patternsOf(config.extraResources),
      ...patternsOf(config.extraFiles),
      ...platforms.flatMap((k) => [...patternsOf(platformOptions(k).files), ...patternsOf(platformOptions(k).extraResources), ...patternsOf(platformOptions(k).extraFiles)]),
    ];
    const named = patterns
      .filter((p) => !p.startsWith('!'))
      .flatMap((p) => [...p.matchAll(/node_modules\/((?:@[^/]+\/)?[^/{},*!()]+)/g)].map((m) => m[1]));
    for (const name of named) expect(Object.keys(pkg.devDependencies), name).not.toContain(name);
    expect(config.extraResources ?? []).toEqual([]);
    expect(config.extraFiles ?? []).toEqual([]);
  });
});

describe('run-time dependencies', () => {
  /** Bare module specifiers in the built main process and preload (else in their sources). */
  function importedPackages(): Set<string> {
    const built = path.join(ROOT, 'out', 'main');
    const dirs = fs.existsSync(built)
      ? [built, path.join(ROOT, 'out', 'preload')]
      : ['src/main', 'src/shared', 'src/preload'].map((d) => path.join(ROOT, d));
    const code = dirs
      .filter((d) => fs.existsSync(d))
      .flatMap((d) => fs.readdirSync(d, { recursive: true, encoding: 'utf8' }).map((f) => path.join(d, f)))
      .filter((f) => /\.(c|m)?(j|t)s$/.test(f) && !f.endsWith('.d.ts'))
      .map((f) => fs.readFileSync(f, 'utf8').replace(/^\s*import\s+type\s[^;]+;/gm, ''))
      .join('\n');
    const specifiers = [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm)].map((m) => m[1]!);
    const builtins = new Set(builtinModules);
    return new Set(
      specifiers
        .filter((s) => !s.startsWith('.') && !s.startsWith('/') && !s.startsWith('node:') && !builtins.has(s))
        .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!))
        .filter((name) => name !== 'electron'), // provided by the runtime itself
    );
  }

  it('declares everything the main process imports as a dependency, never a devDependency', () => {
    const imported = importedPackages();
    expect(imported.has('better-sqlite3')).toBe(true);
    for (const name of imported) {
      expect(pkg.dependencies, `${name} is imported at run time`).toHaveProperty([name]);
      expect(pkg.devDependencies, name).not.toHaveProperty([name]);
      expect(fs.existsSync(path.join(ROOT, 'node_modules', name, 'package.json')), `${name} installed`).toBe(true);
    }
  });

  it('keeps electron a devDependency (electron-builder refuses it in dependencies)', () => {
    expect(pkg.devDependencies).toHaveProperty(['electron']);
    expect(pkg.dependencies).not.toHaveProperty(['electron']);
    expect(pkg.main).toBe('./out/main/index.js');
  });
});

describe('icons', () => {
  it('has the icon files the config references', () => {
    const mac = platformOptions('mac').icon;
    const win = platformOptions('win').icon;
    const linux = platformOptions('linux').icon;
    expect(mac).toBe('resources/icon.icns');
    expect(win).toBe('resources/icon.ico');
    expect(linux).toBe('resources/icons');
    for (const p of [mac, win, linux]) expect(fs.existsSync(path.join(ROOT, p as string)), p ?? '').toBe(true);
  });

  it('has a PNG of the right size for every Linux size and the 1024 px master', () => {
    for (const n of [16, 32, 48, 64, 128, 256, 512, 1024]) {
      expect(pngSize(fs.readFileSync(path.join(ROOT, `resources/icons/${n}x${n}.png`)))).toEqual({ width: n, height: n });
    }
    expect(pngSize(fs.readFileSync(path.join(ROOT, 'resources/icon.png')))).toEqual({ width: 1024, height: 1024 });
  });

  it('has a Windows .ico with 16-256 px images (bitmaps, 256 px as PNG)', () => {
    const ico = fs.readFileSync(path.join(ROOT, 'resources/icon.ico'));
    expect(ico.readUInt16LE(0)).toBe(0);
    expect(ico.readUInt16LE(2)).toBe(1);
    const count = ico.readUInt16LE(4);
    const sizes: number[] = [];
    for (let i = 0; i < count; i++) {
      const e = 6 + 16 * i;
      const size = ico[e] || 256;
      const [len, offset] = [ico.readUInt32LE(e + 8), ico.readUInt32LE(e + 12)];
      expect(offset + len).toBeLessThanOrEqual(ico.length);
      const blob = ico.subarray(offset, offset + len);
      if (size === 256) expect(pngSize(blob)).toEqual({ width: 256, height: 256 });
      else expect([blob.readUInt32LE(0), blob.readInt32LE(4), blob.readInt32LE(8), blob.readUInt16LE(14)]).toEqual([40, size, size * 2, 32]);
      sizes.push(size);
    }
    expect(sizes).toEqual([16, 24, 32, 48, 64, 128, 256]);
  });

  it('has a macOS .icns with PNGs from 16@2x to 512@2x', () => {
    const icns = fs.readFileSync(path.join(ROOT, 'resources/icon.icns'));
    expect(icns.toString('latin1', 0, 4)).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const expected: Record<string, number> = { ic11: 32, ic12: 64, ic07: 128, ic13: 256, ic08: 256, ic14: 512, ic09: 512, ic10: 1024 };
    const found: Record<string, number> = {};
    for (let at = 8; at < icns.length; ) {
      const type = icns.toString('latin1', at, at + 4);
      const len = icns.readUInt32BE(at + 4);
      expect(len).toBeGreaterThan(8);
      found[type] = pngSize(icns.subarray(at + 8, at + len)).width;
      at += len;
    }
    expect(found).toEqual(expected);
  });
});

describe('npm run package on a machine without an Electron runtime', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crawl-package-check-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** scripts/package.mjs --check with every place a runtime could come from pointed at empty folders. */
  function check(extraEnv: Record<string, string> = {}) {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: tmp,
      USERPROFILE: tmp,
      LOCALAPPDATA: path.join(tmp, 'local'),
      XDG_CACHE_HOME: path.join(tmp, 'xdg'),
      ELECTRON_CACHE: path.join(tmp, 'electron-cache'),
      ELECTRON_BUILDER_CACHE: path.join(tmp, 'builder-cache'),
      ELECTRON_OVERRIDE_DIST_PATH: path.join(tmp, 'no-dist'),
      ELECTRON_MIRROR: 'http://127.0.0.1:9/', // refused at once: no request leaves the machine
      ...extraEnv,
    };
    delete env.HTTPS_PROXY;
    delete env.https_proxy;
    delete env.ELECTRON_CUSTOM_DIR;
    const started = Date.now();
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/package.mjs'), '--check'], { env, encoding: 'utf8', timeout: 20_000 });
    return { ...r, ms: Date.now() - started };
  }

  it('stops with exit code 1 and one sentence, quickly', () => {
    const r = check();
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      `Cannot package here: the Electron runtime (v${ELECTRON_VERSION} for ${process.platform}-${process.arch}) is not installed ` +
        'and cannot be downloaded from this machine; run npm run package on a machine with internet access.',
    );
    expect(r.ms).toBeLessThan(10_000);
  });

  it('goes ahead when the runtime zip is in the download cache', () => {
    const dir = path.join(tmp, 'electron-cache', 'abc123');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `electron-v${ELECTRON_VERSION}-${process.platform}-${process.arch}.zip`), 'zip');
    const r = check();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Can package here/);
    fs.rmSync(dir, { recursive: true });
  });

  it("goes ahead when Electron's npm install unpacked the runtime", () => {
    const dist = path.join(tmp, 'dist');
    fs.mkdirSync(dist, { recursive: true });
    fs.writeFileSync(path.join(dist, 'version'), ELECTRON_VERSION);
    const r = check({ ELECTRON_OVERRIDE_DIST_PATH: dist });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`is installed in ${dist}`);
  });
});

const BUILT = fs.existsSync(path.join(ROOT, 'out/main/index.js'));

describe.skipIf(!BUILT)('packaging the built app against a stand-in Electron runtime', () => {
  let tmp: string;
  let result: ReturnType<typeof spawnSync>;
  // Electron 45's fuse wire as shipped: RunAsNode, NodeOptions, NodeCliInspect, FileProtocol and WasmTrapHandlers on.
  const SHIPPED_WIRE = [49, 48, 49, 49, 48, 48, 48, 49, 49];

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crawl-package-'));
    const runtime = path.join(tmp, 'runtime');
    fs.mkdirSync(runtime);
    // Not Electron: just enough of its layout, with the fuse sentinel and wire where @electron/fuses looks for them.
    const wire = Buffer.from([1, SHIPPED_WIRE.length, ...SHIPPED_WIRE]);
    fs.writeFileSync(path.join(runtime, 'electron'), Buffer.concat([Buffer.alloc(4096, 0x90), Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'), wire, Buffer.alloc(256, 0x90)]), { mode: 0o755 });
    fs.writeFileSync(path.join(runtime, 'version'), ELECTRON_VERSION);
    fs.writeFileSync(path.join(runtime, 'LICENSE'), 'stand-in');
    // The real config, writing into the temp folder; the loadFile guard is covered above.
    const probe = path.join(tmp, 'probe.config.ts');
    fs.writeFileSync(
      probe,
      `import config from ${JSON.stringify(path.join(ROOT, 'electron-builder.config.ts'))};\n` +
        `export default { ...config, beforePack: null, directories: { ...config.directories, output: ${JSON.stringify(path.join(tmp, 'dist'))} } };\n`,
    );
    result = spawnSync(
      process.execPath,
      [path.join(ROOT, 'node_modules/electron-builder/cli.js'), '--config', probe, '--linux', 'dir', '--x64', '--arm64', '--publish', 'never', `-c.electronDist=${runtime}`],
      { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ELECTRON_BUILDER_CACHE: path.join(tmp, 'cache') } },
    );
  }, 150_000);
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const appDir = (arch: string) => path.join(tmp, 'dist', arch === 'x64' ? 'linux-unpacked' : `linux-${arch}-unpacked`);

  it('packages without error', () => {
    expect(result.status, `${String(result.stdout)}\n${String(result.stderr)}`).toBe(0);
  });

  it.each(['x64', 'arm64'])('%s: app.asar holds the built app and production dependencies only', (arch) => {
    const asar = path.join(appDir(arch), 'resources', 'app.asar');
    const entries = listPackage(asar, { isPack: false }).map((e) => e.replaceAll('\\', '/').replace(/^\//, ''));
    const tops = new Set(entries.map((e) => e.split('/')[0]));
    expect([...tops].sort()).toEqual(['node_modules', 'out', 'package.json']);
    expect(entries).toContain('out/main/index.js');
    expect(entries).toContain('out/preload/index.cjs');
    expect(entries).toContain('out/renderer/index.html');

    const modules = new Set(entries.filter((e) => e.startsWith('node_modules/')).map((e) => {
      const [, a, b] = e.split('/');
      return a?.startsWith('@') ? `${a}/${b}` : a;
    }));
    for (const dep of Object.keys(pkg.dependencies)) expect(modules, dep).toContain(dep);
    for (const dev of Object.keys(pkg.devDependencies)) expect(modules, dev).not.toContain(dev);

    const prebuilds = entries.filter((e) => e.startsWith('node_modules/better-sqlite3/prebuilds/') && e.endsWith('.node'));
    expect(prebuilds).toEqual([`node_modules/better-sqlite3/prebuilds/linux-${arch}.node`]);
    expect(fs.existsSync(path.join(appDir(arch), 'resources', 'app.asar.unpacked', prebuilds[0]!))).toBe(true);

    const packaged = JSON.parse(extractFile(asar, 'package.json').toString('utf8')) as { main: string; productName: string };
    expect(entries).toContain(path.posix.normalize(packaged.main));
    expect(packaged.productName).toBe('Crawl Console');
  });

  it.each(['x64', 'arm64'])('%s: the executable has the release fuses flipped', async (arch) => {
    const wire = await getCurrentFuseWire(path.join(appDir(arch), 'crawl-console'));
    for (const [key, on] of Object.entries(RELEASE_FUSES)) {
      const index = FuseV1Options[(key[0]!.toUpperCase() + key.slice(1)) as keyof typeof FuseV1Options];
      expect(wire[index], key).toBe(on ? FuseState.ENABLE : FuseState.DISABLE);
    }
  });

  it('the fuse check used by the release workflow agrees', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'scripts/verify-fuses.mjs'), path.join(tmp, 'dist')], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(2);
  });
});
