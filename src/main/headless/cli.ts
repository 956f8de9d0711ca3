/**
 * `crawl-console`: the package's command line. `serve` runs the headless
 * console; `simulate` runs the crawler simulator (when it is part of the build).
 *
 * The heavy modules are imported only once the arguments are known, so a bad
 * environment variable (checked when the config module loads) is reported as a
 * sentence, not a stack trace.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { version } from '../../../package.json';
import { SERVE_USAGE, TOKEN_USAGE, UsageError, parseServeArgs, parseTokenArgs } from './args';

declare global {
  // Vite's static glob import (typed here: the Node layers do not load vite/client's types).
  interface ImportMeta {
    glob<T>(pattern: string): Record<string, () => Promise<T>>;
  }
}

interface SimulatorModule {
  runSimulateCommand(argv: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number>;
}

const USAGE = `Usage: crawl-console <command> [options]

Commands:
  serve      run the headless console (web page + crawler socket); see crawl-console serve --help
  token      print (or --rotate) the headless console's access token; see crawl-console token --help
  simulate   run simulated crawlers against a console's socket; see crawl-console simulate --help
  help       show this help
  version    print the version`;

const print = (text: string) => process.stdout.write(`${text}\n`);
const fail = (text: string, code: number): number => {
  process.stderr.write(`crawl-console: ${text}\n`);
  return code;
};

async function serve(argv: string[]): Promise<number> {
  const parsed = parseServeArgs(argv);
  if (parsed.help) {
    print(SERVE_USAGE);
    return 0;
  }
  const { startHeadless } = await import('./serve');
  const { applyConsoleHeapPolicy } = await import('../core/heap-policy');
  applyConsoleHeapPolicy();
  const headless = await startHeadless(parsed.options);
  print('Crawl Console is running (headless).');
  print(`  Open:    ${headless.url}`);
  print(`  Socket:  ${headless.socketPath}  (crawlers connect here; set SOCKET_PATH in the crawler's environment)`);
  const tcp = headless.core.tcp;
  if (tcp) {
    print(`  TCP:     ${tcp.host}:${tcp.port}${tcp.tls ? ' (TLS)' : ' (PLAIN TCP: tokens travel unencrypted)'}`);
    if (tcp.tls) print(`  TLS fingerprint (SHA-256, crawlers pin this): ${tcp.tls.fingerprint256}`);
  }
  print(`  Data:    ${headless.dataDir}`);
  if (headless.logFile) print(`  Log:     ${headless.logFile}`);
  for (const w of headless.warnings) print(`  Warning: ${w}`);
  if (headless.exposed) {
    print('  Warning: the page listens on a non-loopback address; anyone who can reach it and has the token controls the console.');
  }
  print('Press Ctrl+C to stop.');

  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        // A second Ctrl+C: the person wants out now.
        process.exit(130);
      }
      stopping = true;
      print(`\n${signal}: stopping (crawlers are disconnected, pending writes flushed)…`);
      headless.stop().then(
        () => {
          print('Stopped.');
          resolve(0);
        },
        (error: unknown) => resolve(fail(`stopping failed: ${(error as Error).message}`, 1)),
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

async function token(argv: string[]): Promise<number> {
  const parsed = parseTokenArgs(argv);
  if (parsed.help) {
    print(TOKEN_USAGE);
    return 0;
  }
  const [{ loadOrCreateToken, rotateToken, tokenFilePath }, { resolveDataDir }] = await Promise.all([
    import('./access-token'),
    import('../store/data-dir'),
  ]);
  const dataDir = resolveDataDir({ cliDataDir: parsed.dataDir });
  if (parsed.rotate) {
    const fresh = rotateToken(dataDir);
    print(fresh);
    process.stderr.write(
      `crawl-console: a new token is in ${tokenFilePath(dataDir)}. A running console keeps the old one until it restarts; then open the address it prints.\n`,
    );
    return 0;
  }
  print(loadOrCreateToken(dataDir).token);
  return 0;
}

async function simulate(argv: string[]): Promise<number> {
  // Present only when the simulator is part of the source tree; the glob is resolved at build time.
  const loaders = import.meta.glob<SimulatorModule>('../../simulator/cli.ts');
  const load = Object.values(loaders)[0];
  if (!load) return fail('the crawler simulator is not part of this build.', 1);
  const { runSimulateCommand } = await load();
  return runSimulateCommand(argv, { stdout: process.stdout, stderr: process.stderr });
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serve(rest);
      case 'token':
        return await token(rest);
      case 'simulate':
        return await simulate(rest);
      case 'version':
      case '--version':
      case '-v':
        print(version);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        print(USAGE);
        return command === undefined ? 2 : 0;
      default:
        return fail(`unknown command "${command}".\n\n${USAGE}`, 2);
    }
  } catch (error) {
    if (error instanceof UsageError) return fail(`${error.message}\n\n${typeof error.cause === 'string' ? error.cause : SERVE_USAGE}`, 2);
    const e = error as Error & { code?: string };
    // Refusals with a message a person can act on (config, options, ports): no stack trace.
    if (['ConfigError', 'HeadlessOptionError', 'StoreError', 'AccessTokenError'].includes(e.name) || e.code === 'EACCES') {
      return fail(e.message, 1);
    }
    return fail(e.stack ?? String(error), 1);
  }
}

/** Runs the command line and sets the exit code; what bin/crawl-console.js calls. */
export async function run(argv: string[] = process.argv.slice(2)): Promise<void> {
  process.exitCode = await main(argv);
  // Everything is closed by now; if a stray handle still holds the loop, do not hang the shell.
  setTimeout(() => process.exit(), 5_000).unref();
}

// `node out/main/cli.js serve` works as well as the bin.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  void run();
}
