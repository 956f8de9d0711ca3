import { describe, expect, it } from 'vitest';
import {
  CONFIG_SECTIONS,
  ConfigError,
  ConfigurationManager,
  ENV_VARIABLES,
  RESTART_REQUIRED_FIELDS,
  SOCKET_CONFIG,
  configManager,
  environmentDefaults,
  getCleanupConfig,
  getConnectionConfig,
  getDatabaseConfig,
  getHeartbeatConfig,
  getJobConfig,
  getLoggingConfig,
  getMessageConfig,
  loadConfigFromEnvironment,
  resolveSocketConfig,
} from '../../src/main/socket/config';
import { SOCKET_CONFIG_KEYS, parseSocketConfig } from '../../src/main/socket/types/config';
import type { SocketConfigKey, SocketServerConfig } from '../../src/main/socket/types/config';

const DAY = 24 * 60 * 60 * 1000;

/** The seed's documented defaults, plus the console's extensions. */
const SEED_DEFAULTS: SocketServerConfig = {
  socketPath: '/tmp/crawler-socket.sock',
  host: 'localhost',
  port: 8080,
  backlog: 511,
  allowedOrigins: [],
  maxConnections: 10,
  connectionTimeout: 30000,
  messageBufferSize: 1024 * 1024,
  maxMessageSize: 1024 * 1024,
  messageDelimiter: '\n',
  heartbeatInterval: 30000,
  heartbeatTimeout: 90000,
  healthCheckInterval: 60000,
  maxConcurrentJobs: 5,
  jobQueueSize: 100,
  jobTimeout: 3600000,
  retryAttempts: 3,
  retryDelay: 5000,
  logLevel: 'info',
  enableMetrics: true,
  metricsInterval: 60000,
  databaseConnectionPool: 10,
  queryTimeout: 30000,
  transactionTimeout: 60000,
  cleanupInterval: 3600000,
  maxJobAge: 7 * DAY,
  maxErrorLogAge: 30 * DAY,
  enableTcp: false,
  retryBackoffMultiplier: 2,
  maxRetryDelay: 300000,
  leaseTimeout: 60000,
  authTimeout: 5000,
  maxPreAuthConnections: 16,
  dangerouslyAllowPlaintextTcp: false,
};

/** One environment text per option, with the value it must produce (never the default). */
const ENV_SAMPLES: Record<SocketConfigKey, [text: string, value: unknown]> = {
  socketPath: ['/var/run/copilot-study/crawler.sock', '/var/run/copilot-study/crawler.sock'],
  host: ['0.0.0.0', '0.0.0.0'],
  port: ['9090', 9090],
  backlog: ['128', 128],
  enableTcp: ['true', true],
  authToken: ['tok-123', 'tok-123'],
  authTimeout: ['3000', 3000],
  maxPreAuthConnections: ['4', 4],
  tcpTls: ['yes', true],
  tlsCertPath: ['/etc/crawl-console/cert.pem', '/etc/crawl-console/cert.pem'],
  tlsKeyPath: ['/etc/crawl-console/key.pem', '/etc/crawl-console/key.pem'],
  dangerouslyAllowPlaintextTcp: ['true', true],
  allowedOrigins: ['a.example, b.example,,', ['a.example', 'b.example']],
  maxConnections: ['15', 15],
  connectionTimeout: ['120000', 120000],
  messageBufferSize: ['2097152', 2097152],
  maxMessageSize: ['5242880', 5242880],
  messageDelimiter: ['\\r\\n', '\r\n'],
  heartbeatInterval: ['60000', 60000],
  heartbeatTimeout: ['180000', 180000],
  healthCheckInterval: ['120000', 120000],
  maxConcurrentJobs: ['10', 10],
  jobQueueSize: ['200', 200],
  jobTimeout: ['7200000', 7200000],
  retryAttempts: ['0', 0],
  retryDelay: ['1000', 1000],
  retryBackoffMultiplier: ['1.5', 1.5],
  maxRetryDelay: ['60000', 60000],
  leaseTimeout: ['5000', 5000],
  logLevel: ['ERROR', 'error'],
  enableMetrics: ['no', false],
  metricsInterval: ['300000', 300000],
  databaseConnectionPool: ['20', 20],
  queryTimeout: ['45000', 45000],
  transactionTimeout: ['120000', 120000],
  cleanupInterval: ['1800000', 1800000],
  maxJobAge: ['259200000', 259200000],
  maxErrorLogAge: ['604800000', 604800000],
};

const envError = (env: NodeJS.ProcessEnv): ConfigError => {
  try {
    resolveSocketConfig({}, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
};

const parseError = (input: unknown): ConfigError => {
  try {
    parseSocketConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(input)}`);
};

describe('SocketServerConfigSchema defaults', () => {
  it('equal the seed (and the console extensions) when nothing is given', () => {
    expect(parseSocketConfig()).toEqual(SEED_DEFAULTS);
    expect(parseSocketConfig({})).toEqual(SEED_DEFAULTS);
    expect(parseSocketConfig().authToken).toBeUndefined();
  });

  it('lists every option exactly once in SOCKET_CONFIG_KEYS', () => {
    expect([...SOCKET_CONFIG_KEYS].sort()).toEqual([...Object.keys(SEED_DEFAULTS), 'authToken', 'tcpTls', 'tlsCertPath', 'tlsKeyPath'].sort());
  });

  it('does not share the default allowedOrigins array between results', () => {
    const a = parseSocketConfig();
    a.allowedOrigins.push('x');
    expect(parseSocketConfig().allowedOrigins).toEqual([]);
  });
});

describe('parseSocketConfig validation', () => {
  it('accepts the seed’s tuning examples', () => {
    const c = parseSocketConfig({ maxConnections: 20, connectionTimeout: 120000, heartbeatInterval: 60000, heartbeatTimeout: 180000 });
    expect(c.maxConnections).toBe(20);
    expect(c.heartbeatTimeout).toBe(180000);
  });

  it('refuses heartbeatTimeout ≤ heartbeatInterval, naming both', () => {
    for (const heartbeatTimeout of [30000, 20000]) {
      const e = parseError({ heartbeatInterval: 30000, heartbeatTimeout });
      expect(e.field).toBe('heartbeatTimeout');
      expect(e.message).toContain('heartbeatTimeout');
      expect(e.message).toContain('greater than heartbeatInterval');
    }
    expect(parseSocketConfig({ heartbeatInterval: 30000, heartbeatTimeout: 30001 }).heartbeatTimeout).toBe(30001);
  });

  it.each([
    [{ port: 70000 }, 'port', 'expected an integer from 0 to 65535 (got 70000)'],
    [{ port: -1 }, 'port', 'expected an integer from 0 to 65535'],
    [{ port: 80.5 }, 'port', 'expected an integer from 0 to 65535'],
    [{ port: '8080' }, 'port', 'expected an integer from 0 to 65535 (got "8080")'],
    [{ maxConnections: 0 }, 'maxConnections', 'expected an integer of at least 1'],
    [{ maxMessageSize: 1023 }, 'maxMessageSize', 'expected an integer of at least 1024'],
    [{ messageDelimiter: '' }, 'messageDelimiter', 'expected a non-empty string'],
    [{ logLevel: 'verbose' }, 'logLevel', 'expected one of debug, info, warn, error'],
    [{ enableTcp: 'yes' }, 'enableTcp', 'expected a boolean'],
    [{ retryBackoffMultiplier: 0.5 }, 'retryBackoffMultiplier', 'expected a number of at least 1'],
    [{ prot: 8080 }, 'prot', 'prot: not a socket configuration option'],
  ])('refuses %j with a message naming the field', (input, field, expected) => {
    const e = parseError(input);
    expect(e.field).toBe(field);
    expect(e.message).toContain(`${field}`);
    expect(e.message).toContain(expected);
  });

  it('never prints a refused authToken', () => {
    const e = parseError({ authToken: ' hunter2-secret ' });
    expect(e.field).toBe('authToken');
    expect(e.message).toContain('without leading or trailing whitespace');
    expect(e.message).not.toContain('hunter2');
    const typed = parseError({ authToken: 424242 });
    expect(typed.message).toBe('authToken: expected a non-empty token (got <hidden>)');
  });

  it('refuses things that are not an object', () => {
    expect(parseError('port=1').field).toBe('(config)');
    expect(parseError([]).field).toBe('(config)');
  });
});

describe('environment variables', () => {
  it('map every option, SOCKET_<UPPER_SNAKE_CASE> apart from the seed’s two exceptions', () => {
    expect(Object.keys(ENV_VARIABLES).sort()).toEqual([...SOCKET_CONFIG_KEYS].sort());
    expect(ENV_VARIABLES.socketPath).toBe('SOCKET_PATH');
    expect(ENV_VARIABLES.databaseConnectionPool).toBe('DATABASE_CONNECTION_POOL');
    for (const key of SOCKET_CONFIG_KEYS) {
      if (key === 'socketPath' || key === 'databaseConnectionPool') continue;
      expect(ENV_VARIABLES[key]).toBe(`SOCKET_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`);
    }
    expect(new Set(Object.values(ENV_VARIABLES)).size).toBe(SOCKET_CONFIG_KEYS.length);
  });

  it('reads nothing when no variable is set', () => {
    expect(loadConfigFromEnvironment({ PATH: '/bin', PORT: '1' })).toEqual({});
  });

  it.each(SOCKET_CONFIG_KEYS.map((key) => [ENV_VARIABLES[key], key] as const))('parses %s into %s', (variable, key) => {
    const [text, value] = ENV_SAMPLES[key];
    expect(value).not.toEqual(parseSocketConfig()[key]);
    expect(loadConfigFromEnvironment({ [variable]: text })).toEqual({ [key]: value });
    // Heartbeat timeouts must stay above the interval, so give the pair a consistent partner.
    const partner: NodeJS.ProcessEnv =
      key === 'heartbeatInterval' ? { SOCKET_HEARTBEAT_TIMEOUT: '600000' } : {};
    expect(resolveSocketConfig({}, { [variable]: text, ...partner })[key]).toEqual(value);
  });

  it('reads every variable at once', () => {
    const env = Object.fromEntries(SOCKET_CONFIG_KEYS.map((k) => [ENV_VARIABLES[k], ENV_SAMPLES[k][0]]));
    const config = resolveSocketConfig({}, env);
    for (const key of SOCKET_CONFIG_KEYS) expect(config[key]).toEqual(ENV_SAMPLES[key][1]);
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    [' Yes ', true],
    ['false', false],
    ['0', false],
    ['no', false],
    ['NO', false],
  ])('reads boolean %j as %s', (text, value) => {
    expect(loadConfigFromEnvironment({ SOCKET_ENABLE_TCP: text }).enableTcp).toBe(value);
  });

  it('reads an empty SOCKET_ALLOWED_ORIGINS as no origins', () => {
    expect(loadConfigFromEnvironment({ SOCKET_ALLOWED_ORIGINS: '' }).allowedOrigins).toEqual([]);
  });

  it.each([
    ['SOCKET_PORT', 'abc', 'SOCKET_PORT="abc": expected an integer from 0 to 65535'],
    ['SOCKET_PORT', '1.5', 'SOCKET_PORT="1.5": expected an integer from 0 to 65535'],
    ['SOCKET_PORT', '', 'SOCKET_PORT="": expected an integer from 0 to 65535'],
    ['SOCKET_PORT', '0x50', 'SOCKET_PORT="0x50": expected an integer from 0 to 65535'],
    ['SOCKET_PORT', '65536', 'SOCKET_PORT="65536": expected an integer from 0 to 65535'],
    ['SOCKET_HEARTBEAT_INTERVAL', '-5', 'SOCKET_HEARTBEAT_INTERVAL="-5": expected an integer of at least 1'],
    ['SOCKET_MAX_CONNECTIONS', '1e3', 'SOCKET_MAX_CONNECTIONS="1e3": expected an integer of at least 1'],
    ['DATABASE_CONNECTION_POOL', ' ', 'DATABASE_CONNECTION_POOL=" ": expected an integer of at least 1'],
    ['SOCKET_ENABLE_METRICS', 'maybe', 'SOCKET_ENABLE_METRICS="maybe": expected one of true, false, 1, 0, yes, no'],
    ['SOCKET_LOG_LEVEL', 'verbose', 'SOCKET_LOG_LEVEL="verbose": expected one of debug, info, warn, error'],
    ['SOCKET_PATH', '', 'SOCKET_PATH="": expected a non-empty string'],
    ['SOCKET_RETRY_BACKOFF_MULTIPLIER', 'fast', 'SOCKET_RETRY_BACKOFF_MULTIPLIER="fast": expected a number of at least 1'],
  ])('refuses %s=%j, naming the variable', (variable, text, message) => {
    const e = envError({ [variable]: text });
    expect(e.message).toBe(message);
    expect(e.variable).toBe(variable);
    expect(ENV_VARIABLES[e.field as SocketConfigKey]).toBe(variable);
  });

  it('never puts the SOCKET_AUTH_TOKEN value in an error', () => {
    for (const token of ['sekrit-token-value\n', ' sekrit-token-value', '']) {
      const e = envError({ SOCKET_AUTH_TOKEN: token });
      expect(e.variable).toBe('SOCKET_AUTH_TOKEN');
      expect(e.message).toMatch(/^SOCKET_AUTH_TOKEN=<hidden>: expected/);
      if (token !== '') expect(e.message).not.toContain('sekrit');
    }
  });

  it('names the variable when an environment value breaks the heartbeat rule', () => {
    const e = envError({ SOCKET_HEARTBEAT_TIMEOUT: '30000' });
    expect(e.field).toBe('heartbeatTimeout');
    expect(e.variable).toBe('SOCKET_HEARTBEAT_TIMEOUT');
    expect(e.message).toContain('SOCKET_HEARTBEAT_TIMEOUT="30000"');
    expect(e.message).toContain('greater than heartbeatInterval');
  });
});

describe('NODE_ENV defaults', () => {
  it.each([
    ['development', 'debug'],
    ['test', 'warn'],
    ['production', 'info'],
    [undefined, 'info'],
  ])('NODE_ENV=%s gives logLevel %s', (nodeEnv, level) => {
    expect(environmentDefaults(nodeEnv).logLevel).toBe(level);
    const env: NodeJS.ProcessEnv = nodeEnv === undefined ? {} : { NODE_ENV: nodeEnv };
    expect(resolveSocketConfig({}, env).logLevel).toBe(level);
  });

  it('lets SOCKET_LOG_LEVEL and explicit overrides win over the NODE_ENV default', () => {
    expect(resolveSocketConfig({}, { NODE_ENV: 'development', SOCKET_LOG_LEVEL: 'error' }).logLevel).toBe('error');
    expect(resolveSocketConfig({ logLevel: 'info' }, { NODE_ENV: 'development', SOCKET_LOG_LEVEL: 'error' }).logLevel).toBe('info');
  });
});

describe('SOCKET_CONFIG and section getters', () => {
  it('SOCKET_CONFIG is the frozen resolution of this process’s environment', () => {
    expect(SOCKET_CONFIG).toEqual(resolveSocketConfig({}, process.env));
    expect(Object.isFrozen(SOCKET_CONFIG)).toBe(true);
    expect(Object.isFrozen(SOCKET_CONFIG.allowedOrigins)).toBe(true);
    expect(() => {
      (SOCKET_CONFIG as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('sections partition the options', () => {
    const all = Object.values(CONFIG_SECTIONS).flat();
    expect([...all].sort()).toEqual([...SOCKET_CONFIG_KEYS].sort());
  });

  it('each getter returns its section of the current config', () => {
    const c = parseSocketConfig({ authToken: 't', allowedOrigins: ['o'] });
    expect(getConnectionConfig(c)).toEqual({
      socketPath: c.socketPath,
      host: c.host,
      port: c.port,
      backlog: c.backlog,
      enableTcp: false,
      authToken: 't',
      allowedOrigins: ['o'],
      maxConnections: 10,
      connectionTimeout: 30000,
      authTimeout: 5000,
      maxPreAuthConnections: 16,
      dangerouslyAllowPlaintextTcp: false,
    });
    expect(getMessageConfig(c)).toEqual({ messageBufferSize: 1048576, maxMessageSize: 1048576, messageDelimiter: '\n' });
    expect(getHeartbeatConfig(c)).toEqual({ heartbeatInterval: 30000, heartbeatTimeout: 90000, healthCheckInterval: 60000 });
    expect(getJobConfig(c)).toEqual({
      maxConcurrentJobs: 5,
      jobQueueSize: 100,
      jobTimeout: 3600000,
      retryAttempts: 3,
      retryDelay: 5000,
      retryBackoffMultiplier: 2,
      maxRetryDelay: 300000,
      leaseTimeout: 60000,
    });
    expect(getLoggingConfig(c)).toEqual({ logLevel: 'info', enableMetrics: true, metricsInterval: 60000 });
    expect(getDatabaseConfig(c)).toEqual({ databaseConnectionPool: 10, queryTimeout: 30000, transactionTimeout: 60000 });
    expect(getCleanupConfig(c)).toEqual({ cleanupInterval: 3600000, maxJobAge: 7 * DAY, maxErrorLogAge: 30 * DAY });
  });

  it('getters follow the singleton configManager', () => {
    const before = configManager.getCurrentConfig();
    try {
      configManager.updateConfig({ maxConnections: 15, heartbeatInterval: 45000 });
      expect(getConnectionConfig().maxConnections).toBe(15);
      expect(getHeartbeatConfig().heartbeatInterval).toBe(45000);
    } finally {
      configManager.updateConfig({ maxConnections: before.maxConnections, heartbeatInterval: before.heartbeatInterval });
    }
    expect(configManager.getCurrentConfig()).toEqual(before);
  });

  it('marks listener options as restart-only (there is no pool: databaseConnectionPool has no effect here)', () => {
    expect([...RESTART_REQUIRED_FIELDS].sort()).toEqual(
      ['backlog', 'enableTcp', 'host', 'port', 'socketPath', 'tcpTls', 'tlsCertPath', 'tlsKeyPath', 'dangerouslyAllowPlaintextTcp'].sort(),
    );
  });
});

describe('ConfigurationManager', () => {
  const production: NodeJS.ProcessEnv = { NODE_ENV: 'production' };

  it('starts from defaults + environment', () => {
    const m = new ConfigurationManager({ env: { NODE_ENV: 'production', SOCKET_PORT: '9000' } });
    expect(m.getCurrentConfig()).toEqual({ ...SEED_DEFAULTS, port: 9000 });
  });

  it('updateConfig merges, notifies once with the new config, and reports what changed', () => {
    const m = new ConfigurationManager({ env: production });
    const seen: { config: SocketServerConfig; changed: SocketConfigKey[]; previousMax: number }[] = [];
    m.onConfigUpdate((config, change) => seen.push({ config, changed: change.changed, previousMax: change.previous.maxConnections }));

    const changed = m.updateConfig({ maxConnections: 15, logLevel: 'debug' });
    expect(changed.sort()).toEqual(['logLevel', 'maxConnections']);
    expect(m.getCurrentConfig()).toEqual({ ...SEED_DEFAULTS, maxConnections: 15, logLevel: 'debug' });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.config).toBe(m.getCurrentConfig());
    expect(seen[0]?.previousMax).toBe(10);
    expect(Object.isFrozen(m.getCurrentConfig())).toBe(true);
  });

  it('does not notify when nothing changes', () => {
    const m = new ConfigurationManager({ env: production });
    let calls = 0;
    m.onConfigUpdate(() => calls++);
    expect(m.updateConfig({ port: 8080, allowedOrigins: [] })).toEqual([]);
    expect(m.updateConfig({})).toEqual([]);
    expect(calls).toBe(0);
    m.updateConfig({ allowedOrigins: ['a'] });
    m.updateConfig({ allowedOrigins: ['a'] });
    expect(calls).toBe(1);
  });

  it('unsubscribe stops notifications', () => {
    const m = new ConfigurationManager({ env: production });
    let calls = 0;
    const unsubscribe = m.onConfigUpdate(() => calls++);
    m.updateConfig({ port: 1 });
    unsubscribe();
    m.updateConfig({ port: 2 });
    expect(calls).toBe(1);
    expect(m.getCurrentConfig().port).toBe(2);
  });

  it('an invalid update throws ConfigError and changes nothing', () => {
    const m = new ConfigurationManager({ env: production });
    m.updateConfig({ maxConnections: 12 });
    const before = m.getCurrentConfig();
    let calls = 0;
    m.onConfigUpdate(() => calls++);
    expect(() => m.updateConfig({ maxConnections: 20, port: 99999 })).toThrow(ConfigError);
    expect(() => m.updateConfig({ heartbeatTimeout: 1000 })).toThrow(/heartbeatTimeout/);
    expect(() => m.updateConfig({ nope: true } as never)).toThrow(ConfigError);
    expect(m.getCurrentConfig()).toBe(before);
    expect(m.getCurrentConfig().maxConnections).toBe(12);
    expect(calls).toBe(0);
  });

  it('an option given as undefined returns to its default', () => {
    const m = new ConfigurationManager({ env: { NODE_ENV: 'development' } });
    m.updateConfig({ authToken: 'abc', port: 1, logLevel: 'error' });
    m.updateConfig({ authToken: undefined, port: undefined, logLevel: undefined });
    const c = m.getCurrentConfig();
    expect(c.authToken).toBeUndefined();
    expect(c.port).toBe(8080);
    expect(c.logLevel).toBe('debug');
  });

  it('a throwing listener does not stop the others', () => {
    const reported: unknown[] = [];
    const m = new ConfigurationManager({ env: production, onListenerError: (e) => reported.push(e) });
    const order: string[] = [];
    m.onConfigUpdate(() => {
      order.push('first');
      throw new Error('listener broke');
    });
    m.onConfigUpdate(() => order.push('second'));
    expect(m.updateConfig({ port: 1234 })).toEqual(['port']);
    expect(order).toEqual(['first', 'second']);
    expect(reported).toHaveLength(1);
    expect((reported[0] as Error).message).toBe('listener broke');
    expect(m.getCurrentConfig().port).toBe(1234);
  });

  it('reloadFromEnvironment re-reads the environment over defaults and notifies', () => {
    const m = new ConfigurationManager({ env: production });
    m.updateConfig({ maxConnections: 50 });
    const seen: SocketConfigKey[][] = [];
    m.onConfigUpdate((_config, change) => seen.push(change.changed));

    const changed = m.reloadFromEnvironment({ NODE_ENV: 'production', SOCKET_PORT: '7000', SOCKET_ENABLE_TCP: 'yes' });
    expect(changed.sort()).toEqual(['enableTcp', 'maxConnections', 'port']);
    expect(m.getCurrentConfig()).toEqual({ ...SEED_DEFAULTS, port: 7000, enableTcp: true });
    expect(seen).toHaveLength(1);

    // Without an argument it re-reads the environment it was last given.
    expect(m.reloadFromEnvironment()).toEqual([]);
    expect(seen).toHaveLength(1);
  });

  it('reloadFromEnvironment with a bad variable throws and keeps the current config', () => {
    const m = new ConfigurationManager({ env: production });
    const before = m.getCurrentConfig();
    expect(() => m.reloadFromEnvironment({ SOCKET_PORT: 'abc' })).toThrow('SOCKET_PORT="abc"');
    expect(m.getCurrentConfig()).toBe(before);
  });

  it('refuses a bad environment at construction', () => {
    expect(() => new ConfigurationManager({ env: { SOCKET_MAX_CONNECTIONS: '0' } })).toThrow(ConfigError);
  });
});

describe('platform defaults', () => {
  it('uses a named pipe on Windows, where there is no /tmp for a Unix socket', () => {
    expect(environmentDefaults('production', 'win32').socketPath).toBe('\\\\.\\pipe\\crawler-socket');
    expect(environmentDefaults('production', 'linux').socketPath).toBeUndefined();
  });
});
