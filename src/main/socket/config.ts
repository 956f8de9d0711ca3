import { CONFIG_EFFECTS, configEffect } from '../../shared/config';
import {
  ConfigError,
  SECRET_CONFIG_FIELDS,
  SOCKET_CONFIG_KEYS,
  SocketServerConfigShape,
  parseSocketConfig,
} from './types/config';
import type {
  ConfigUpdateListener,
  LogLevel,
  ResolvedSocketConfig,
  SocketConfigKey,
  SocketServerConfigInput,
} from './types/config';

export { ConfigError, parseSocketConfig, SocketServerConfigSchema } from './types/config';
export { CONFIG_EFFECTS, configEffect };
export type {
  ConfigChange,
  ConfigEffect,
  ConfigUpdateListener,
  LogLevel,
  ResolvedSocketConfig,
  SocketConfigKey,
  SocketServerConfig,
  SocketServerConfigInput,
} from './types/config';

/** Where an option's variable is not `SOCKET_<UPPER_SNAKE_CASE>`: the seed's two spellings. */
const ENV_NAME_EXCEPTIONS: Partial<Record<SocketConfigKey, string>> = {
  socketPath: 'SOCKET_PATH',
  databaseConnectionPool: 'DATABASE_CONNECTION_POOL',
};

/**
 * Option → environment variable: `SOCKET_<UPPER_SNAKE_CASE>` (maxConnections →
 * SOCKET_MAX_CONNECTIONS), with the seed's SOCKET_PATH and DATABASE_CONNECTION_POOL.
 * Derived from the schema, so a new option gets its variable without another line.
 */
export const ENV_VARIABLES = Object.fromEntries(
  SOCKET_CONFIG_KEYS.map((key) => [key, ENV_NAME_EXCEPTIONS[key] ?? `SOCKET_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`]),
) as Readonly<Record<SocketConfigKey, string>>;

/** Options that only take effect after the server restarts (listeners are bound once). */
export const RESTART_REQUIRED_FIELDS: readonly SocketConfigKey[] = SOCKET_CONFIG_KEYS.filter((k) => configEffect(k) === 'restart');

/** Options accepted for compatibility with the seed's configuration that nothing here reads (CONFIG_EFFECTS says why). */
export const NO_EFFECT_FIELDS: readonly SocketConfigKey[] = SOCKET_CONFIG_KEYS.filter((k) => configEffect(k) === 'none');

// ---------------------------------------------------------------------------
// Environment

type EnvKind = 'number' | 'boolean' | 'list' | 'string' | 'enum';

/** How to read an option from text, taken from the schema so the two cannot drift apart. */
const envKind = (key: SocketConfigKey): EnvKind => {
  let def = SocketServerConfigShape[key].def as { type: string; innerType?: { def: unknown } };
  while ((def.type === 'default' || def.type === 'optional') && def.innerType) {
    def = def.innerType.def as typeof def;
  }
  switch (def.type) {
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return 'list';
    case 'enum':
      return 'enum';
    default:
      return 'string';
  }
};

const TRUE_WORDS = new Set(['true', '1', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'no']);
// Plain decimal only: rejects '', ' ', '0x10', '1e3', 'Infinity' that Number() would accept.
const DECIMAL = /^-?\d+(\.\d+)?$/;

/** The delimiter cannot hold a raw newline in most shells, so the usual escapes are decoded. */
const decodeEscapes = (raw: string): string =>
  raw.replace(/\\(n|r|t|0|\\)/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t', '0': '\0', '\\': '\\' })[c] ?? c);

const envError = (key: SocketConfigKey, variable: string, raw: string, expected: string): ConfigError => {
  const shown = SECRET_CONFIG_FIELDS.includes(key) ? '<hidden>' : JSON.stringify(raw);
  return new ConfigError(`${variable}=${shown}: ${expected}`, key, variable);
};

/** Text → candidate value; the field's schema then decides (and words the complaint). */
const fromText = (key: SocketConfigKey, variable: string, raw: string): unknown => {
  switch (envKind(key)) {
    case 'number': {
      const text = raw.trim();
      // Non-numeric text is handed on as a string: the schema refuses it with its "expected …" wording.
      return DECIMAL.test(text) ? Number(text) : raw;
    }
    case 'boolean': {
      const word = raw.trim().toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      throw envError(key, variable, raw, 'expected one of true, false, 1, 0, yes, no');
    }
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
    case 'enum':
      return raw.trim().toLowerCase();
    case 'string':
      return key === 'messageDelimiter' ? decodeEscapes(raw) : raw;
  }
};

/**
 * Reads every `ENV_VARIABLES` entry that is set. Only options present in the
 * environment appear in the result.
 * @throws ConfigError naming the variable and its (non-secret) value.
 */
export function loadConfigFromEnvironment(env: NodeJS.ProcessEnv = process.env): SocketServerConfigInput {
  const out: Record<string, unknown> = {};
  for (const key of SOCKET_CONFIG_KEYS) {
    const variable = ENV_VARIABLES[key];
    const raw = env[variable];
    if (raw === undefined) continue;
    const value = fromText(key, variable, raw);
    const checked = SocketServerConfigShape[key].safeParse(value);
    if (!checked.success) {
      throw envError(key, variable, raw, checked.error.issues[0]?.message ?? 'invalid value');
    }
    out[key] = checked.data;
  }
  return out as SocketServerConfigInput;
}

/** NODE_ENV-specific defaults: chattier logs in development, quieter under test. */
export function environmentDefaults(nodeEnv: string | undefined, platform: NodeJS.Platform = process.platform): SocketServerConfigInput {
  const logLevel: LogLevel = nodeEnv === 'development' ? 'debug' : nodeEnv === 'test' ? 'warn' : 'info';
  // Windows has no /tmp and no Unix sockets in Node's sense: the same server listens on a named pipe.
  return platform === 'win32' ? { logLevel, socketPath: WINDOWS_DEFAULT_PIPE } : { logLevel };
}

/** The default crawler "socket" on Windows: a named pipe. */
export const WINDOWS_DEFAULT_PIPE = '\\\\.\\pipe\\crawler-socket';

/** Attaches the environment variable to a cross-field error when the refused option came from it. */
const withVariable = (error: unknown, env: NodeJS.ProcessEnv, fromEnv: SocketServerConfigInput): unknown => {
  if (!(error instanceof ConfigError) || error.variable !== undefined) return error;
  const key = error.field as SocketConfigKey;
  if (!(key in fromEnv)) return error;
  const variable = ENV_VARIABLES[key];
  const raw = env[variable] ?? '';
  const shown = SECRET_CONFIG_FIELDS.includes(key) ? '<hidden>' : JSON.stringify(raw);
  return new ConfigError(`${variable}=${shown}: ${error.message}`, key, variable, { cause: error });
};

const definedOnly = (input: SocketServerConfigInput): SocketServerConfigInput =>
  Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as SocketServerConfigInput;

/**
 * Defaults ← NODE_ENV defaults ← environment ← overrides, validated.
 * @throws ConfigError
 */
export function resolveSocketConfig(
  overrides: SocketServerConfigInput = {},
  env: NodeJS.ProcessEnv = process.env,
): ResolvedSocketConfig {
  const fromEnv = loadConfigFromEnvironment(env);
  try {
    return parseSocketConfig({ ...environmentDefaults(env.NODE_ENV), ...fromEnv, ...definedOnly(overrides) });
  } catch (error) {
    throw withVariable(error, env, fromEnv);
  }
}

// ---------------------------------------------------------------------------
// Runtime configuration

const freeze = (config: ResolvedSocketConfig): Readonly<ResolvedSocketConfig> => {
  Object.freeze(config.allowedOrigins);
  return Object.freeze(config);
};

const sameValue = (a: unknown, b: unknown): boolean =>
  Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((v, i) => v === b[i]) : Object.is(a, b);

/** The options whose values differ between two configurations. */
export function changedFields(a: ResolvedSocketConfig, b: ResolvedSocketConfig): SocketConfigKey[] {
  return SOCKET_CONFIG_KEYS.filter((key) => !sameValue(a[key], b[key]));
}

export interface ConfigurationManagerOptions {
  /** Environment read at construction and by `reloadFromEnvironment()` without an argument. */
  env?: NodeJS.ProcessEnv;
  /** Starting configuration; when omitted it is resolved from `env`. */
  initial?: ResolvedSocketConfig;
  /** Told about listeners that throw (they never stop the other listeners). */
  onListenerError?: (error: unknown) => void;
}

/** Holds the live configuration; every change is validated whole before it replaces the old one. */
export class ConfigurationManager {
  private current: Readonly<ResolvedSocketConfig>;
  private env: NodeJS.ProcessEnv;
  private readonly listeners = new Set<ConfigUpdateListener>();
  private readonly onListenerError: ((error: unknown) => void) | undefined;

  constructor(options: ConfigurationManagerOptions = {}) {
    this.env = options.env ?? process.env;
    this.onListenerError = options.onListenerError;
    this.current = freeze(options.initial ? parseSocketConfig(options.initial) : resolveSocketConfig({}, this.env));
  }

  getCurrentConfig(): Readonly<ResolvedSocketConfig> {
    return this.current;
  }

  /**
   * Merges `partial` over the current configuration. An option given as
   * `undefined` goes back to its default (for `authToken`: no token).
   * @throws ConfigError, leaving the configuration unchanged.
   * @returns the options that changed.
   */
  updateConfig(partial: SocketServerConfigInput): SocketConfigKey[] {
    if (typeof partial !== 'object' || partial === null || Array.isArray(partial)) {
      throw new ConfigError('(config): expected an object of socket configuration options', '(config)');
    }
    const defaults = environmentDefaults(this.env.NODE_ENV);
    const merged: Record<string, unknown> = { ...this.current };
    for (const [key, value] of Object.entries(partial)) {
      if (value === undefined) {
        delete merged[key];
        const fallback = (defaults as Record<string, unknown>)[key];
        if (fallback !== undefined) merged[key] = fallback;
      } else {
        merged[key] = value;
      }
    }
    return this.replace(parseSocketConfig(merged));
  }

  /**
   * Re-reads the environment over the defaults (runtime updates are dropped).
   * @throws ConfigError, leaving the configuration unchanged.
   */
  reloadFromEnvironment(env?: NodeJS.ProcessEnv): SocketConfigKey[] {
    const source = env ?? this.env;
    const next = resolveSocketConfig({}, source);
    this.env = source;
    return this.replace(next);
  }

  /** @returns a function that unsubscribes the listener. */
  onConfigUpdate(listener: ConfigUpdateListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private replace(next: ResolvedSocketConfig): SocketConfigKey[] {
    const previous = this.current;
    const changed = changedFields(previous, next);
    if (changed.length === 0) return changed;
    this.current = freeze(next);
    for (const listener of [...this.listeners]) {
      try {
        listener(this.current, { previous, changed });
      } catch (error) {
        this.onListenerError?.(error);
      }
    }
    return changed;
  }
}

/** Resolved from defaults + environment when this module loads (a bad variable fails the import loudly). */
export const SOCKET_CONFIG: Readonly<ResolvedSocketConfig> = freeze(resolveSocketConfig());

export const configManager = new ConfigurationManager({ initial: SOCKET_CONFIG });

// ---------------------------------------------------------------------------
// Sections

export const CONFIG_SECTIONS = {
  connection: [
    'socketPath',
    'host',
    'port',
    'backlog',
    'enableTcp',
    'authToken',
    'allowedOrigins',
    'maxConnections',
    'connectionTimeout',
    'authTimeout',
    'maxPreAuthConnections',
    'tcpTls',
    'tlsCertPath',
    'tlsKeyPath',
    'dangerouslyAllowPlaintextTcp',
  ],
  message: ['messageBufferSize', 'maxMessageSize', 'messageDelimiter'],
  heartbeat: ['heartbeatInterval', 'heartbeatTimeout', 'healthCheckInterval'],
  job: [
    'maxConcurrentJobs',
    'jobQueueSize',
    'jobTimeout',
    'retryAttempts',
    'retryDelay',
    'retryBackoffMultiplier',
    'maxRetryDelay',
    'leaseTimeout',
  ],
  logging: ['logLevel', 'enableMetrics', 'metricsInterval'],
  database: ['databaseConnectionPool', 'queryTimeout', 'transactionTimeout'],
  cleanup: ['cleanupInterval', 'maxJobAge', 'maxErrorLogAge'],
} as const satisfies Record<string, readonly SocketConfigKey[]>;

type Section<K extends keyof typeof CONFIG_SECTIONS> = Pick<ResolvedSocketConfig, (typeof CONFIG_SECTIONS)[K][number]>;
export type ConnectionConfig = Section<'connection'>;
export type MessageConfig = Section<'message'>;
export type HeartbeatConfig = Section<'heartbeat'>;
export type JobConfig = Section<'job'>;
export type LoggingConfig = Section<'logging'>;
export type DatabaseConfig = Section<'database'>;
export type CleanupConfig = Section<'cleanup'>;

const section = <K extends keyof typeof CONFIG_SECTIONS>(name: K, config: Readonly<ResolvedSocketConfig>): Section<K> => {
  const out: Record<string, unknown> = {};
  for (const key of CONFIG_SECTIONS[name]) {
    if (config[key] !== undefined) out[key] = config[key];
  }
  return out as Section<K>;
};

export const getConnectionConfig = (config = configManager.getCurrentConfig()): ConnectionConfig =>
  section('connection', config);
export const getMessageConfig = (config = configManager.getCurrentConfig()): MessageConfig => section('message', config);
export const getHeartbeatConfig = (config = configManager.getCurrentConfig()): HeartbeatConfig =>
  section('heartbeat', config);
export const getJobConfig = (config = configManager.getCurrentConfig()): JobConfig => section('job', config);
export const getLoggingConfig = (config = configManager.getCurrentConfig()): LoggingConfig => section('logging', config);
export const getDatabaseConfig = (config = configManager.getCurrentConfig()): DatabaseConfig =>
  section('database', config);
export const getCleanupConfig = (config = configManager.getCurrentConfig()): CleanupConfig => section('cleanup', config);
