/**
 * The Settings form's fields: the seed's configuration sections, what each
 * option means, and how a typed text becomes a value. Values are validated with
 * the same zod field schemas the core uses (SocketServerConfigShape).
 */
import { SocketServerConfigSchema, SocketServerConfigShape, type SocketConfigKey } from '../../../../shared/config';
import type { PublicConfig } from '../../../../shared/contract';
import { formatCount, formatDuration } from '../../../components/format';
import { formatBytes } from '../format';

export type EditableKey = Exclude<SocketConfigKey, 'authToken'>;
export type FieldKind = 'int' | 'number' | 'boolean' | 'text' | 'list' | 'level' | 'delimiter';
export type FieldUnit = 'ms' | 'bytes' | 'count' | 'seconds' | null;

export interface FieldSpec {
  key: EditableKey;
  label: string;
  kind: FieldKind;
  unit: FieldUnit;
  help: string;
}

const f = (key: EditableKey, label: string, kind: FieldKind, unit: FieldUnit, help: string): FieldSpec => ({ key, label, kind, unit, help });

/** The seed's sections, in its order (security settings sit with the connection, as the core groups them). */
export const SETTINGS_SECTIONS: { id: string; title: string; fields: FieldSpec[] }[] = [
  {
    id: 'connection',
    title: 'Connection',
    fields: [
      f('socketPath', 'Unix socket path', 'text', null, 'Where crawlers connect.'),
      f('enableTcp', 'TCP listener', 'boolean', null, 'Also listen on host:port for remote crawlers (they must send the auth token).'),
      f('host', 'TCP host', 'text', null, 'Interface of the TCP listener.'),
      f('port', 'TCP port', 'int', null, 'Port of the TCP listener.'),
      f('backlog', 'Connection backlog', 'int', 'count', 'Pending connections the OS queues.'),
      f('allowedOrigins', 'Allowed origins', 'list', null, 'One per line.'),
      f('maxConnections', 'Max connections', 'int', 'count', 'Crawlers connected at once.'),
      f('connectionTimeout', 'Connection timeout', 'int', 'ms', 'Time a crawler has to read what the console writes.'),
      f('authTimeout', 'Hello timeout (TCP)', 'int', 'ms', 'A TCP peer must send a hello with the auth token within this.'),
      f('maxPreAuthConnections', 'Unauthenticated peers', 'int', 'count', 'TCP peers waiting to authenticate; they never count as crawlers.'),
      f('dangerouslyAllowPlaintextTcp', 'Allow plain TCP off loopback (dangerous)', 'boolean', null, 'Sends GitLab tokens unencrypted. Leave off: remote crawlers use TLS.'),
    ],
  },
  {
    id: 'message',
    title: 'Messages',
    fields: [
      f('messageBufferSize', 'Buffer size', 'int', 'bytes', 'Read buffer per connection.'),
      f('maxMessageSize', 'Max message size', 'int', 'bytes', 'Longer lines are refused.'),
      f('messageDelimiter', 'Delimiter', 'delimiter', null, 'Written with escapes: \\n is a newline.'),
    ],
  },
  {
    id: 'heartbeat',
    title: 'Heartbeat and health',
    fields: [
      f('heartbeatInterval', 'Heartbeat interval', 'int', 'ms', 'Told to crawlers in welcome; late after 1.5×.'),
      f('heartbeatTimeout', 'Heartbeat timeout', 'int', 'ms', 'Silent this long: the crawler is lost and its jobs requeued.'),
      f('healthCheckInterval', 'Health check interval', 'int', 'ms', 'How often silent crawlers are looked for (at least every heartbeat timeout / 4).'),
    ],
  },
  {
    id: 'job',
    title: 'Jobs',
    fields: [
      f('maxConcurrentJobs', 'Jobs per crawler', 'int', 'count', 'Used when a crawler does not say its own capacity.'),
      f('jobQueueSize', 'Queue size', 'int', 'count', 'Most jobs waiting in the queue; creating more is refused until some are handed out (0: no limit).'),
      f('jobTimeout', 'Job timeout', 'int', 'ms', 'A job running longer is requeued (failed once retries are spent); 0 = no limit.'),
      f('retryAttempts', 'Retry attempts', 'int', 'count', 'Retries of a recoverable failure.'),
      f('retryDelay', 'Retry delay', 'int', 'ms', 'Wait before the first retry.'),
      f('retryBackoffMultiplier', 'Backoff multiplier', 'number', null, 'Each further retry waits this much longer.'),
      f('maxRetryDelay', 'Max retry delay', 'int', 'ms', 'Cap of the retry wait.'),
      f('leaseTimeout', 'Lease timeout', 'int', 'ms', 'An assigned job not started within this is offered again.'),
    ],
  },
  {
    id: 'logging',
    title: 'Logging and monitoring',
    fields: [
      f('logLevel', 'Log level', 'level', null, 'debug, info, warn or error.'),
      f('enableMetrics', 'Metrics', 'boolean', null, 'Sample history every interval and serve /metrics.'),
      f('metricsInterval', 'Metrics interval', 'int', 'ms', 'How often a history sample is written.'),
    ],
  },
  {
    id: 'database',
    title: 'Database',
    fields: [
      f('databaseConnectionPool', 'Connection pool', 'int', 'count', 'Database connections.'),
      f('queryTimeout', 'Query timeout', 'int', 'ms', 'How long a database statement waits for the lock (SQLite busy timeout).'),
      f('transactionTimeout', 'Transaction timeout', 'int', 'ms', 'Longest transaction.'),
    ],
  },
  {
    id: 'cleanup',
    title: 'Cleanup',
    fields: [
      f('cleanupInterval', 'Cleanup interval', 'int', 'ms', 'How often old records are removed.'),
      f('maxJobAge', 'Keep finished jobs', 'int', 'ms', 'Finished jobs older than this are removed.'),
      f('maxErrorLogAge', 'Keep errors', 'int', 'ms', 'Errors older than this are removed.'),
    ],
  },
];

export const FIELD_SPECS: ReadonlyMap<EditableKey, FieldSpec> = new Map(SETTINGS_SECTIONS.flatMap((s) => s.fields.map((x) => [x.key, x] as const)));

/** How a value is shown in its input. */
export function toText(spec: FieldSpec, value: unknown): string {
  if (spec.kind === 'list') return Array.isArray(value) ? value.join('\n') : '';
  if (spec.kind === 'delimiter') return typeof value === 'string' ? JSON.stringify(value).slice(1, -1) : '';
  if (spec.kind === 'boolean') return value ? 'true' : 'false';
  return value === undefined || value === null ? '' : String(value);
}

/** How a typed text becomes a value; `undefined` when it cannot be read at all (the schema then says why). */
export function fromText(spec: FieldSpec, text: string): unknown {
  switch (spec.kind) {
    case 'int':
    case 'number': {
      const t = text.trim();
      if (t === '') return undefined;
      const n = Number(t);
      return Number.isFinite(n) ? n : t; // a non-number reaches the schema, which names what it expects
    }
    case 'boolean':
      return text === 'true';
    case 'list':
      return text
        .split(/[\n,]/)
        .map((s) => s.trim())
        .filter((s) => s !== '');
    case 'delimiter':
      try {
        return JSON.parse(`"${text.replace(/"/g, '\\"')}"`) as string;
      } catch {
        return text;
      }
    default:
      return text;
  }
}

/** The field's own check (the shared zod schema), then the checks across fields (heartbeat timeout > interval). */
export function validateField(key: EditableKey, value: unknown, config: Readonly<Record<string, unknown>>): string | null {
  const own = SocketServerConfigShape[key].safeParse(value === undefined ? null : value);
  if (!own.success) return own.error.issues[0]?.message ?? 'invalid value';
  const whole = SocketServerConfigSchema.safeParse({ ...config, [key]: value });
  if (!whole.success) {
    const issue = whole.error.issues.find((i) => i.path[0] === key);
    if (issue) return issue.message;
  }
  return null;
}

/** The options as the schema takes them (PublicConfig less the console's extra `auth_token_set`). */
export function configValues(config: PublicConfig): Record<string, unknown> {
  const { auth_token_set: _set, ...rest } = config;
  return rest;
}

export function formatUnitHint(spec: FieldSpec, value: unknown): string | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  // The one formatter of every screen: a setting reads like the same span elsewhere ("1 min 30 s").
  if (spec.unit === 'ms') return formatDuration(value);
  if (spec.unit === 'bytes') return value < 1024 ? `${formatCount(value)} bytes` : formatBytes(value);
  return null;
}
