/**
 * How the desktop app becomes installers (electron-builder). Used by
 * `npm run package` and .github/workflows/release.yml, always passed
 * explicitly: `electron-builder --config electron-builder.config.ts`.
 *
 * The app is what electron-vite built into out/ plus the production
 * dependencies (better-sqlite3, pino, zod) that electron-builder copies from
 * node_modules itself; nothing else from the repository is packaged.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Configuration } from 'electron-builder';

type FuseOptions = NonNullable<Configuration['electronFuses']>;
type PrebuildPlatform = 'linux' | 'darwin' | 'win32';

/**
 * Fuses flipped in the released binary. The unpackaged app that `npm start`
 * and the Playwright tests launch runs the stock Electron binary with none of
 * these (Playwright needs --inspect and a main-script argument).
 */
export const RELEASE_FUSES = {
  runAsNode: false, // ELECTRON_RUN_AS_NODE cannot turn the app into a Node interpreter
  enableNodeOptionsEnvironmentVariable: false, // NODE_OPTIONS / NODE_EXTRA_CA_CERTS ignored
  enableNodeCliInspectArguments: false, // no --inspect, and SIGUSR1 opens no inspector
  enableCookieEncryption: true,
  enableEmbeddedAsarIntegrityValidation: true, // macOS and Windows check app.asar's hash
  onlyLoadAppFromAsar: true, // no loose app/ folder next to app.asar is ever loaded
  grantFileProtocolExtraPrivileges: false, // file:// behaves as in a browser
  loadBrowserProcessSpecificV8Snapshot: false,
} as const satisfies FuseOptions;

/**
 * better-sqlite3 13 ships a prebuilt N-API binary per platform in
 * prebuilds/<platform>-<arch>.node and, at run time, requires the one named
 * for process.platform/process.arch (lib/binding.js; "linuxmusl" on musl
 * libc, which Electron does not run on). N-API binaries load in Electron as
 * they are, hence npmRebuild: false. Each installer keeps only its own
 * platform's binary for the arch being packaged (${arch} is expanded per
 * arch by electron-builder); the other seven never load there. `${platform}`
 * is not used because it expands to the build machine's platform, not the
 * target's. The kept binary is unpacked from the asar by asarUnpack: the OS
 * cannot dlopen a file inside an archive.
 */
export function prebuildFilter(platform: PrebuildPlatform): string[] {
  return [`!node_modules/better-sqlite3/prebuilds/!(${platform}-\${arch}).node`];
}

/**
 * What goes into app.asar: an allowlist, the built app and package.json.
 * electron-builder adds the production dependencies itself (devDependencies
 * are never copied); the negated patterns also apply inside node_modules and
 * trim what never runs there.
 */
export const APP_FILES: readonly string[] = [
  'out/**/*',
  '!out/**/*.map',
  'package.json',
  // better-sqlite3's SQLite sources and build files: only the prebuilt binary runs.
  '!node_modules/better-sqlite3/{deps,src}{,/**/*}',
  '!node_modules/better-sqlite3/binding.gyp',
  // C++ headers better-sqlite3 compiles against; nothing requires them at run time.
  '!node_modules/node-addon-api{,/**/*}',
  // zod's TypeScript sources (only its "@zod/source" export condition, never used by Node).
  '!node_modules/zod/src{,/**/*}',
  // The dependencies' own tests, docs and type declarations (licences stay).
  '!**/node_modules/**/{test,tests,__tests__,docs,benchmarks,example,examples}{,/**/*}',
  '!**/node_modules/**/{*.test.js,test.js,*.test-d.ts,*.d.cts,*.d.mts,*.map}',
  '!**/node_modules/**/{README,CHANGELOG,CONTRIBUTING,SECURITY,HISTORY}.md',
];

/** The files of an installer for `platform`: the app, with that platform's better-sqlite3 binary only. */
export function platformFiles(platform: PrebuildPlatform): string[] {
  return [...APP_FILES, ...prebuildFilter(platform)];
}

/** Every built JavaScript file of the main process (entries and shared chunks). */
function mainBundleFiles(projectDir: string): string[] {
  const dir = path.join(projectDir, 'out', 'main');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.js'))
    .map((name) => path.join(dir, name));
}

/**
 * Why the fused app could not show its window, or null. With
 * grantFileProtocolExtraPrivileges off, file:// URLs are loaded by Chromium's
 * plain file loader, which cannot read inside app.asar, and module scripts
 * over file:// are blocked by CORS: a renderer opened with loadFile() from the
 * asar stays blank. It must be served from a custom protocol instead
 * (protocol.handle in the main process).
 */
export function fileProtocolConflict(fuses: FuseOptions, mainBundle: string): string | null {
  if (fuses.grantFileProtocolExtraPrivileges !== false) return null;
  if (!/\.loadFile\s*\(/.test(mainBundle)) return null;
  return (
    'Cannot package: the main process loads its window with loadFile() (file://), but the release fuse ' +
    'grantFileProtocolExtraPrivileges is off, so the packaged app would open a blank window; serve the renderer ' +
    'from a custom protocol (protocol.handle) in src/main/electron first.'
  );
}

const config: Configuration = {
  appId: 'org.crawlconsole.app',
  productName: 'Crawl Console',
  copyright: 'Copyright © Crawl Console contributors',
  directories: { output: 'dist', buildResources: 'build' },
  // No spaces in file names: release assets and download URLs stay simple.
  artifactName: '${name}-${version}-${os}-${arch}.${ext}',

  // No top-level `files`: electron-builder turns it into a separate file set,
  // and any platform-level `files` then replaces it as the main matcher (which
  // then starts from "everything"). Each platform lists the whole set instead.
  asar: true,
  asarUnpack: ['node_modules/better-sqlite3/**/*.node'],
  npmRebuild: false,
  nodeGypRebuild: false,
  buildDependenciesFromSource: false,
  fileAssociations: [],
  protocols: [],

  // Flipping fuses breaks the arm64 binary's ad-hoc signature; re-sign it ad hoc so an
  // unsigned arm64 dmg still launches (a real signing identity, when set, signs over it).
  electronFuses: { ...RELEASE_FUSES, resetAdHocDarwinSignature: true },
  beforePack: (context) => {
    const projectDir = context.packager.projectDir;
    const bundle = mainBundleFiles(projectDir)
      .map((file) => fs.readFileSync(file, 'utf8'))
      .join('\n');
    if (!bundle) throw new Error('Cannot package: out/main is empty; run `npx electron-vite build` first.');
    const conflict = fileProtocolConflict(RELEASE_FUSES, bundle);
    if (conflict) throw new Error(conflict);
  },

  // On a v* tag the release workflow uploads into the draft release it created.
  publish: [{ provider: 'github', releaseType: 'draft' }],

  linux: {
    target: [
      { target: 'AppImage', arch: ['x64'] },
      { target: 'deb', arch: ['x64'] },
    ],
    category: 'Development',
    maintainer: 'Crawl Console maintainers <maintainers@crawlconsole.org>',
    synopsis: 'Operator console for GitLab research crawls',
    executableName: 'crawl-console',
    icon: 'resources/icons',
    files: platformFiles('linux'),
  },
  mac: {
    // One dmg per architecture: each carries only its own better-sqlite3 binary.
    target: [{ target: 'dmg', arch: ['x64', 'arm64'] }],
    category: 'public.app-category.developer-tools',
    hardenedRuntime: true,
    gatekeeperAssess: false,
    entitlements: 'build/entitlements.mac.plist',
    entitlementsInherit: 'build/entitlements.mac.plist',
    icon: 'resources/icon.icns',
    files: platformFiles('darwin'),
  },
  win: {
    target: [{ target: 'nsis', arch: ['x64'] }],
    icon: 'resources/icon.ico',
    files: platformFiles('win32'),
  },
  nsis: {
    oneClick: false,
    perMachine: false, // per-user: no administrator rights needed
    allowElevation: false,
    allowToChangeInstallationDirectory: true,
    createDesktopShortcut: true,
    createStartMenuShortcut: true,
    shortcutName: 'Crawl Console',
    // The database and logs outlive an uninstall unless the user deletes them (see README).
    deleteAppDataOnUninstall: false,
  },
};

export default config;
