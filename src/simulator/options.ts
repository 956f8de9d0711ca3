/**
 * `crawl-console simulate` options: parsed with node:util parseArgs, checked
 * with one zod schema (the same schema checks the config a child process
 * receives with --processes).
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { hashString } from './prng';

export const SpellingModeSchema = z.enum(['documented', 'crawler', 'mixed']);
export type SpellingMode = z.infer<typeof SpellingModeSchema>;
/** How the crawlers end their messages; 'mixed' gives crawler 1, 2, 3… delimited, unterminated, alternating in turn. */
export const FramingModeSchema = z.enum(['delimited', 'unterminated', 'mixed']);
export type FramingMode = z.infer<typeof FramingModeSchema>;

export const SimulatorOptionsSchema = z
  .object({
    socketPath: z.string().min(1),
    tcp: z.object({ host: z.string().min(1), port: z.number().int().min(1).max(65_535) }).optional(),
    token: z.string().min(1).optional(),
    /** SHA-256 fingerprint of the console's TLS certificate, pinned over TCP. */
    tlsFingerprint: z.string().min(1).optional(),
    crawlers: z.number().int().min(1).max(500),
    spelling: SpellingModeSchema,
    framing: FramingModeSchema,
    /** Multiplier of realistic pacing: 100 runs 100× faster than a real crawler against GitLab. */
    speed: z.number().positive().max(1_000_000),
    failureRate: z.number().min(0).max(1),
    tokenRefreshRate: z.number().min(0).max(1),
    seed: z.number().int().min(0).max(0xffff_ffff),
    processes: z.boolean(),
    durationSec: z.number().positive().optional(),
    jobsThenExit: z.boolean(),
    /** Jobs one simulated crawler runs at once. */
    concurrency: z.number().int().min(1).max(64),
    summaryJson: z.string().min(1).optional(),
    /** Keep trying to connect until the console is up (else a missing console is an error). */
    wait: z.boolean(),
    quiet: z.boolean(),
    /** After a console shutdown, reconnect and keep crawling (a crawler service, not a one-shot). */
    rejoin: z.boolean(),
  })
  .refine((o) => !o.tcp || o.token, { message: '--tcp needs --token (or SOCKET_AUTH_TOKEN): remote consoles require authentication', path: ['token'] });
export type SimulatorOptions = z.infer<typeof SimulatorOptionsSchema>;

export const HELP = `Usage: crawl-console simulate [options]

Runs synthetic GitLab crawlers against a console: they ask for work, discover
namespaces, crawl projects, groups and users page by page, sometimes fail or
need a token refresh, obey job_cancel and shutdown, and reconnect if the
console restarts. Prints a summary on exit.

Options:
  --socket PATH          console Unix socket (default: $SOCKET_PATH, else /tmp/crawler-socket.sock)
  --tcp HOST:PORT        connect over TCP instead (needs --token)
  --token T              auth token for TCP (default: $SOCKET_AUTH_TOKEN)
  --tls-fingerprint FP   TLS over TCP, pinned to the console's SHA-256 fingerprint (default: $SOCKET_TLS_FINGERPRINT)
  --crawlers N           number of simulated crawlers (default 3)
  --concurrency N        jobs each crawler runs at once (default 2)
  --spelling S           documented | crawler | mixed (default mixed: alternating)
  --framing F            delimited | unterminated | mixed (default delimited). unterminated writes
                         bare JSON objects with no delimiter, like the GitLab crawler in the wild;
                         mixed makes crawler 1, 2, 3… delimited, unterminated and alternating in turn
  --speed X              multiple of realistic pacing, e.g. 100 = 100x faster (default 1)
  --failure-rate F       share of jobs that fail, 0..1 (default 0.05)
  --token-refresh-rate F share of jobs that need a token refresh, 0..1 (default 0.1)
  --seed S               seed for a repeatable run (number or text; default: random, printed)
  --processes            one child process per crawler (default: all in this process)
  --duration SEC         stop after SEC seconds (default: until SIGINT/SIGTERM)
  --jobs-then-exit       stop once the console has no more work and every job is done
  --summary-json FILE    also write the summary as JSON to FILE
  --wait                 wait for the console to come up instead of failing at once
  --rejoin               after a console shutdown, reconnect and keep crawling instead of ending
  --quiet                print only the summary
  -h, --help             show this help
`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type ParsedCommand = { help: true } | { help: false; options: SimulatorOptions };

export function parseSimulateArgs(argv: string[], env: NodeJS.ProcessEnv = process.env, randomSeed: () => number = defaultSeed): ParsedCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        socket: { type: 'string' },
        tcp: { type: 'string' },
        token: { type: 'string' },
        'tls-fingerprint': { type: 'string' },
        crawlers: { type: 'string' },
        concurrency: { type: 'string' },
        spelling: { type: 'string' },
        framing: { type: 'string' },
        speed: { type: 'string' },
        'failure-rate': { type: 'string' },
        'token-refresh-rate': { type: 'string' },
        seed: { type: 'string' },
        processes: { type: 'boolean' },
        duration: { type: 'string' },
        'jobs-then-exit': { type: 'boolean' },
        'summary-json': { type: 'string' },
        wait: { type: 'boolean' },
        quiet: { type: 'boolean' },
        rejoin: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return { help: true };

  const num = (name: string, raw: string | undefined, fallback: number): number => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${raw}"`);
    return n;
  };
  let tcp: SimulatorOptions['tcp'];
  if (values.tcp !== undefined) {
    const m = /^(.+):(\d+)$/.exec(values.tcp);
    if (!m) throw new UsageError(`--tcp must be HOST:PORT, got "${values.tcp}"`);
    tcp = { host: m[1]!.replace(/^\[(.*)\]$/, '$1'), port: Number(m[2]) };
  }
  const token = values.token ?? env.SOCKET_AUTH_TOKEN;
  const tlsFingerprint = values['tls-fingerprint'] ?? env.SOCKET_TLS_FINGERPRINT;
  const candidate = {
    socketPath: values.socket ?? env.SOCKET_PATH ?? '/tmp/crawler-socket.sock',
    ...(tcp && { tcp }),
    ...(tcp && token !== undefined && { token }),
    ...(tcp && tlsFingerprint !== undefined && { tlsFingerprint }),
    crawlers: num('crawlers', values.crawlers, 3),
    concurrency: num('concurrency', values.concurrency, 2),
    spelling: values.spelling ?? 'mixed',
    framing: values.framing ?? 'delimited',
    speed: num('speed', values.speed, 1),
    failureRate: num('failure-rate', values['failure-rate'], 0.05),
    tokenRefreshRate: num('token-refresh-rate', values['token-refresh-rate'], 0.1),
    seed: values.seed === undefined ? randomSeed() : parseSeed(values.seed),
    processes: values.processes ?? false,
    ...(values.duration !== undefined && { durationSec: num('duration', values.duration, 0) }),
    jobsThenExit: values['jobs-then-exit'] ?? false,
    ...(values['summary-json'] !== undefined && { summaryJson: values['summary-json'] }),
    wait: values.wait ?? false,
    quiet: values.quiet ?? false,
    rejoin: values.rejoin ?? false,
  };
  const parsed = SimulatorOptionsSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const flag = FLAG_FOR[String(issue.path[0])] ?? String(issue.path[0] ?? '');
    throw new UsageError(issue.path.length && issue.code !== 'custom' ? `--${flag}: ${issue.message}` : issue.message);
  }
  return { help: false, options: parsed.data };
}

const FLAG_FOR: Record<string, string> = {
  socketPath: 'socket',
  failureRate: 'failure-rate',
  tokenRefreshRate: 'token-refresh-rate',
  durationSec: 'duration',
  summaryJson: 'summary-json',
  tlsFingerprint: 'tls-fingerprint',
  jobsThenExit: 'jobs-then-exit',
};

/** A numeric seed is used as is; any other text is hashed, so `--seed demo` is repeatable too. */
export function parseSeed(raw: string): number {
  return /^\d+$/.test(raw) && Number(raw) <= 0xffff_ffff ? Number(raw) : hashString(raw);
}

function defaultSeed(): number {
  return Math.floor(Math.random() * 0xffff_ffff);
}
