import { z } from 'zod';

/**
 * The socket server's configuration: the seed's `SocketServerConfig` plus the
 * console's extensions, as one zod schema. Every option has a default, so the
 * parsed output is always complete.
 */

const KiB = 1024;
const MiB = 1024 * KiB;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * An integer option. Every check carries the same message so a bad value reads
 * the same whether it came from code or from an environment variable.
 */
const int = (min: number, max?: number) => {
  const error = max === undefined ? `expected an integer of at least ${min}` : `expected an integer from ${min} to ${max}`;
  const base = z.number({ error }).int({ error }).min(min, { error });
  return max === undefined ? base : base.max(max, { error });
};

/** A non-integer number option (multipliers). */
const num = (min: number) => {
  const error = `expected a number of at least ${min}`;
  return z.number({ error }).min(min, { error });
};

const nonEmpty = () => z.string({ error: 'expected a non-empty string' }).min(1, { error: 'expected a non-empty string' });

export const LogLevelSchema = z.enum(['debug', 'info', 'warn', 'error'], {
  error: 'expected one of debug, info, warn, error',
});
export type LogLevel = z.infer<typeof LogLevelSchema>;

/** The fields, kept apart from the cross-field check so callers can validate one option alone. */
export const SocketServerConfigShape = {
  // Connection settings
  socketPath: nonEmpty().default('/tmp/crawler-socket.sock'),
  host: nonEmpty().default('localhost'),
  port: int(0, 65535).default(8080),
  backlog: int(0).default(511),
  /** Console extension: the TCP listener on host/port is off unless enabled (the Unix socket is always on). */
  enableTcp: z.boolean({ error: 'expected a boolean' }).default(false),
  /** Console extension: when set, TCP crawlers must send this as hello `auth_token`. */
  authToken: z
    .string({ error: 'expected a non-empty token' })
    .min(1, { error: 'expected a non-empty token' })
    // A stray newline from an env file would make every hello fail: refuse it up front.
    .refine((t) => t.trim() === t, { error: 'expected a token without leading or trailing whitespace' })
    .optional(),

  /** Console extension: ms a TCP peer has to send a hello with a valid auth_token before it is closed. */
  authTimeout: int(1).default(5_000),
  /** Console extension: TCP peers waiting to authenticate; kept apart from maxConnections so they can never lock crawlers out. */
  maxPreAuthConnections: int(1).default(16),
  /**
   * Console extension: TLS on the TCP listener. Unset means TLS unless the
   * listener is on a loopback address; plain TCP elsewhere needs
   * dangerouslyAllowPlaintextTcp (GitLab tokens travel in job assignments).
   */
  tcpTls: z.boolean({ error: 'expected a boolean' }).optional(),
  /** Console extension: the operator's PEM certificate for TLS (with tlsKeyPath); unset → a self-signed one in the data directory. */
  tlsCertPath: nonEmpty().optional(),
  tlsKeyPath: nonEmpty().optional(),
  /** Console extension: lets tcpTls=false listen on a non-loopback address, sending GitLab tokens in clear text. */
  dangerouslyAllowPlaintextTcp: z.boolean({ error: 'expected a boolean' }).default(false),

  // Security settings
  allowedOrigins: z.array(z.string({ error: 'expected a list of strings' }), { error: 'expected a list of strings' }).default(() => []),
  maxConnections: int(1).default(10),
  connectionTimeout: int(0).default(30_000),

  // Message handling
  messageBufferSize: int(KiB).default(MiB),
  maxMessageSize: int(KiB).default(MiB),
  messageDelimiter: nonEmpty().default('\n'),

  // Heartbeat and health (intervals drive timers: 0 would spin them, so at least 1 ms)
  heartbeatInterval: int(1).default(30_000),
  heartbeatTimeout: int(1).default(90_000),
  healthCheckInterval: int(1).default(60_000),

  // Job processing
  maxConcurrentJobs: int(0).default(5),
  /** Most jobs waiting in the queue; creating one more is refused (0: no limit). Discovered jobs are never refused. */
  jobQueueSize: int(0).default(100),
  /** A job running longer than this is requeued, or failed once its retries are spent (0: no limit). */
  jobTimeout: int(0).default(3_600_000),
  retryAttempts: int(0).default(3),
  retryDelay: int(0).default(5_000),
  /** Console extension: each job retry waits retryDelay × multiplier^(attempt−1)… */
  retryBackoffMultiplier: num(1).default(2),
  /** Console extension: …capped at this many ms. */
  maxRetryDelay: int(0).default(300_000),
  /** Console extension: ms a leased job may wait for `job_started` before it is offered again. */
  leaseTimeout: int(1).default(60_000),

  // Logging and monitoring
  logLevel: LogLevelSchema.default('info'),
  enableMetrics: z.boolean({ error: 'expected a boolean' }).default(true),
  metricsInterval: int(1).default(60_000),

  // Database settings
  databaseConnectionPool: int(1).default(10),
  /** SQLite's busy timeout: how long a statement waits for another connection's lock. */
  queryTimeout: int(0).default(30_000),
  transactionTimeout: int(0).default(60_000),

  // Cleanup settings
  cleanupInterval: int(1).default(3_600_000),
  maxJobAge: int(0).default(7 * DAY_MS),
  maxErrorLogAge: int(0).default(30 * DAY_MS),
};

/** Unknown keys are refused so a misspelt option fails loudly instead of being ignored. */
export const SocketServerConfigSchema = z.strictObject(SocketServerConfigShape).superRefine((config, ctx) => {
  if (config.heartbeatTimeout <= config.heartbeatInterval) {
    ctx.addIssue({
      code: 'custom',
      path: ['heartbeatTimeout'],
      input: config.heartbeatTimeout,
      message:
        `must be greater than heartbeatInterval (${config.heartbeatInterval} ms), ` +
        'otherwise every connection times out between two heartbeats',
    });
  }
});

/** The resolved configuration: every option present (the seed's `SocketServerConfig` is the all-optional input). */
export type ResolvedSocketConfig = z.output<typeof SocketServerConfigSchema>;
/** What callers may pass: any subset of the options (the seed's `SocketServerConfig`). */
export type SocketServerConfigInput = Partial<z.input<typeof SocketServerConfigSchema>>;
export type SocketConfigKey = keyof ResolvedSocketConfig;

export const SOCKET_CONFIG_KEYS = Object.keys(SocketServerConfigShape) as SocketConfigKey[];

/** Options whose values must never appear in messages or logs. */
export const SECRET_CONFIG_FIELDS: readonly SocketConfigKey[] = ['authToken'];

/** A configuration value was refused. `field` is the option; `variable` the environment variable it came from. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly field: string;
  readonly variable?: string;

  constructor(message: string, field: string, variable?: string, options?: ErrorOptions) {
    super(message, options);
    this.field = field;
    if (variable !== undefined) this.variable = variable;
  }
}

const isConfigKey = (key: string): key is SocketConfigKey => Object.hasOwn(SocketServerConfigShape, key);

/** A short, printable rendering of a refused value (never of a secret one). */
export const describeValue = (field: string, value: unknown): string => {
  if (isConfigKey(field) && SECRET_CONFIG_FIELDS.includes(field)) return '<hidden>';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

const valueAt = (input: unknown, field: string): unknown =>
  typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[field] : undefined;

/** Turns zod issues into one ConfigError naming the first refused field and listing all of them. */
export const configErrorFromIssues = (issues: readonly z.core.$ZodIssue[], input: unknown): ConfigError => {
  const parts: { field: string; text: string }[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) parts.push({ field: key, text: `${key}: not a socket configuration option` });
      continue;
    }
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(config)';
    const top = String(issue.path[0] ?? '');
    const value = valueAt(input, top);
    const got = value === undefined || issue.code === 'custom' ? '' : ` (got ${describeValue(top, value)})`;
    parts.push({ field, text: `${field}: ${issue.message}${got}` });
  }
  const first = parts[0] ?? { field: '(config)', text: '(config): invalid configuration' };
  return new ConfigError(parts.map((p) => p.text).join('; '), first.field.split('.')[0] ?? first.field);
};

/**
 * Validates a (partial) configuration and fills in defaults.
 * @throws ConfigError naming the refused field and what it expects.
 */
export function parseSocketConfig(partial?: unknown): ResolvedSocketConfig {
  if (partial !== undefined && (typeof partial !== 'object' || partial === null || Array.isArray(partial))) {
    throw new ConfigError('(config): expected an object of socket configuration options', '(config)');
  }
  const result = SocketServerConfigSchema.safeParse(partial ?? {});
  if (!result.success) throw configErrorFromIssues(result.error.issues, partial);
  return result.data;
}

/**
 * How a change to an option reaches the console, for the options that do not
 * simply apply from their next use ('live', the default): 'restart' ones are
 * fixed when the console starts; 'none' ones are accepted for compatibility
 * with the seed's configuration and read by nothing here, for the reason given.
 * Shown in Settings and the README.
 */
export const CONFIG_EFFECTS: Partial<Record<SocketConfigKey, { effect: 'restart' | 'none'; why: string }>> = {
  socketPath: { effect: 'restart', why: 'The listener is bound when the console starts.' },
  host: { effect: 'restart', why: 'The TCP listener is bound when the console starts.' },
  port: { effect: 'restart', why: 'The TCP listener is bound when the console starts.' },
  enableTcp: { effect: 'restart', why: 'The TCP listener is opened when the console starts.' },
  backlog: { effect: 'restart', why: 'The OS takes the backlog when the listener is bound.' },
  tcpTls: { effect: 'restart', why: 'The TCP listener is made TLS or plain when it is opened.' },
  tlsCertPath: { effect: 'restart', why: 'The certificate is loaded when the TCP listener is opened.' },
  tlsKeyPath: { effect: 'restart', why: 'The key is loaded when the TCP listener is opened.' },
  dangerouslyAllowPlaintextTcp: { effect: 'restart', why: 'Checked when the TCP listener is opened.' },
  allowedOrigins: {
    effect: 'none',
    why: 'Crawlers connect over a Unix socket or TCP, not from web pages: there is no Origin to check (the TCP door checks the auth token).',
  },
  databaseConnectionPool: {
    effect: 'none',
    why: 'The console keeps one SQLite connection in one process (better-sqlite3 is synchronous): there is no pool to size.',
  },
  transactionTimeout: {
    effect: 'none',
    why: 'SQLite transactions here run to completion without waiting on anything but the database lock, which queryTimeout bounds.',
  },
};

/** 'live', 'restart' or 'none' for an option (see CONFIG_EFFECTS). */
export const configEffect = (key: SocketConfigKey): 'live' | 'restart' | 'none' => CONFIG_EFFECTS[key]?.effect ?? 'live';
