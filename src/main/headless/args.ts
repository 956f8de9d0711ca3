/**
 * `crawl-console serve` options, parsed strictly: a misspelt option is an error
 * with the usage, never silently ignored.
 */
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import type { HeadlessOptions } from './serve';

export const SERVE_USAGE = `Usage: crawl-console serve [options]

Runs the console without a display: crawlers connect to its socket, you open the
printed URL in a browser (through an SSH tunnel for a remote machine).

Options:
  --socket PATH      Unix socket for crawlers (else SOCKET_PATH, else /tmp/crawler-socket.sock)
  --tcp-port N       also accept crawlers over TCP on port N (set SOCKET_AUTH_TOKEN; SOCKET_HOST picks the address)
  --data-dir DIR     database, key file and logs (else CRAWL_CONSOLE_DATA_DIR, else the per-user data folder)
  --http-host HOST   address of the web page (default 127.0.0.1; anything else exposes it to the network)
  --http-port N      port of the web page (default 7420; 0 picks a free port)
  --token T          token the page must present (else CRAWL_CONSOLE_TOKEN, else the one kept in the
                     data directory, made on the first start: see crawl-console token --help;
                     prefer the variable: other users can read arguments in the process list)
  -h, --help         show this help

Every socket option of the configuration can also be set through its environment
variable (SOCKET_PATH, SOCKET_PORT, SOCKET_MAX_CONNECTIONS, SOCKET_HEARTBEAT_INTERVAL, …).`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const port = (name: string, raw: string | undefined, allowZero: boolean): number | undefined => {
  if (raw === undefined) return undefined;
  const n = /^\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(n) || n > 65535 || (!allowZero && n === 0)) {
    throw new UsageError(`--${name} expects a port number from ${allowZero ? 0 : 1} to 65535 (got ${JSON.stringify(raw)}).`);
  }
  return n;
};

/** Options parsed strictly (no positionals, no unknown flags); a mistake is a UsageError (with the usage as its cause, when given). */
function parseStrict<O extends ParseArgsOptionsConfig>(argv: readonly string[], options: O, usage?: string) {
  try {
    return parseArgs({ args: [...argv], strict: true, allowPositionals: false, options }).values;
  } catch (error) {
    throw new UsageError((error as Error).message, usage === undefined ? undefined : { cause: usage });
  }
}

export type ServeArgs = { help: true } | { help: false; options: HeadlessOptions };

export function parseServeArgs(argv: readonly string[]): ServeArgs {
  const values = parseStrict(argv, {
    socket: { type: 'string' },
    'tcp-port': { type: 'string' },
    'data-dir': { type: 'string' },
    'http-host': { type: 'string' },
    'http-port': { type: 'string' },
    token: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return { help: true };
  const options: HeadlessOptions = {};
  if (values.socket !== undefined) options.socketPath = values.socket;
  const tcpPort = port('tcp-port', values['tcp-port'], true);
  if (tcpPort !== undefined) options.tcpPort = tcpPort;
  if (values['data-dir'] !== undefined) options.dataDir = values['data-dir'];
  if (values['http-host'] !== undefined) options.httpHost = values['http-host'];
  const httpPort = port('http-port', values['http-port'], true);
  if (httpPort !== undefined) options.httpPort = httpPort;
  if (values.token !== undefined) options.token = values.token;
  return { help: false, options };
}

export const TOKEN_USAGE = `Usage: crawl-console token [--rotate] [--data-dir DIR]

Prints the token the headless console's page must present, kept in the data
directory (created on the first start). --rotate replaces it with a new one:
pages holding the old token are refused once the console restarts; open the new
address it prints. --token / CRAWL_CONSOLE_TOKEN given to "serve" override the file.

Options:
  --rotate           make a new token
  --data-dir DIR     the console's data directory (else CRAWL_CONSOLE_DATA_DIR, else the per-user data folder)
  -h, --help         show this help`;

export type TokenArgs = { help: true } | { help: false; rotate: boolean; dataDir?: string };

export function parseTokenArgs(argv: readonly string[]): TokenArgs {
  const values = parseStrict(
    argv,
    {
      rotate: { type: 'boolean' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    TOKEN_USAGE,
  );
  if (values.help) return { help: true };
  return { help: false, rotate: values.rotate === true, ...(values['data-dir'] !== undefined && { dataDir: values['data-dir'] }) };
}
