import { z } from 'zod';

/**
 * Errors of the socket system: categorised, graded, serialisable without
 * secrets, and routed through prioritised handlers by an ErrorManager.
 */

// ---------------------------------------------------------------------------
// Categories and severities

// The enums are shared with the UI (filters, badges): defined once in src/shared.
import { ErrorCategory, ErrorCategorySchema, ErrorSeverity, ErrorSeveritySchema } from '../../../shared/errors';
export { ErrorCategory, ErrorCategorySchema, ErrorSeverity, ErrorSeveritySchema } from '../../../shared/errors';

// ---------------------------------------------------------------------------
// Serialised form and redaction

/** What `SocketError.toJSON()` gives: plain data, safe to store, log or send to the UI. */
export const SocketErrorRecordSchema = z.object({
  name: z.string(),
  message: z.string(),
  category: ErrorCategorySchema,
  severity: ErrorSeveritySchema,
  timestamp: z.string(),
  context: z.record(z.string(), z.unknown()),
  recoverable: z.boolean(),
  code: z.string().optional(),
  stack: z.string().optional(),
});
export type SocketErrorRecord = z.infer<typeof SocketErrorRecordSchema>;

export const REDACTED = '[redacted]';
/** Context keys whose values are never serialised. */
const SECRET_KEY = /token|password|passwd|secret|authorization|api[-_]?key|cookie|credential/i;
const MAX_DEPTH = 6;

/** A JSON-safe copy of `value` with secret-named keys replaced by "[redacted]". */
export function redact(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'undefined' || typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[truncated]';
  seen.add(value);
  try {
    if (value instanceof Error) return { name: value.name, message: value.message };
    if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1, seen) ?? null);
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (SECRET_KEY.test(key)) {
        out[key] = REDACTED;
        continue;
      }
      const copy = redact(v, depth + 1, seen);
      if (copy !== undefined) out[key] = copy;
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

// ---------------------------------------------------------------------------
// Error classes

export interface SocketErrorOptions {
  category: ErrorCategory;
  severity?: ErrorSeverity;
  context?: Record<string, unknown>;
  /** Whether trying again (or carrying on) can succeed. Default false. */
  recoverable?: boolean;
  code?: string;
  cause?: unknown;
  timestamp?: Date;
}

export interface ToJSONOptions {
  includeStack?: boolean;
}

export class SocketError extends Error {
  override name = 'SocketError';
  readonly category: ErrorCategory;
  readonly severity: ErrorSeverity;
  readonly timestamp: Date;
  /** Mutable so callers can add what they know as the error travels up. */
  context: Record<string, unknown>;
  readonly recoverable: boolean;
  readonly code?: string;

  constructor(message: string, options: SocketErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.category = options.category;
    this.severity = options.severity ?? ErrorSeverity.MEDIUM;
    this.timestamp = options.timestamp ?? new Date();
    this.context = { ...options.context };
    this.recoverable = options.recoverable ?? false;
    if (options.code !== undefined) this.code = options.code;
  }

  /**
   * Plain record with secret-named context keys redacted; the stack only when asked.
   * (`JSON.stringify` calls this with the property name, a string: that means "no stack".)
   */
  toJSON(options?: ToJSONOptions): SocketErrorRecord {
    const includeStack = typeof options === 'object' && options !== null && options.includeStack === true;
    const record: SocketErrorRecord = {
      name: this.name,
      message: this.message,
      category: this.category,
      severity: this.severity,
      timestamp: this.timestamp.toISOString(),
      context: redact(this.context) as Record<string, unknown>,
      recoverable: this.recoverable,
    };
    if (this.code !== undefined) record.code = this.code;
    if (includeStack && this.stack !== undefined) record.stack = this.stack;
    return record;
  }
}

type SubclassOptions = Omit<SocketErrorOptions, 'category'> & { category?: ErrorCategory };

export class ConnectionError extends SocketError {
  override name = 'ConnectionError';
  readonly connectionId: string;

  constructor(message: string, connectionId: string, options: SubclassOptions = {}) {
    super(message, {
      ...options,
      severity: options.severity ?? ErrorSeverity.MEDIUM,
      recoverable: options.recoverable ?? true,
      category: options.category ?? ErrorCategory.CONNECTION,
      context: { connectionId, ...options.context },
    });
    this.connectionId = connectionId;
  }
}

export class MessageError extends SocketError {
  override name = 'MessageError';
  readonly messageType: string;
  readonly validationErrors: string[];

  /** Not recoverable by default: the same message would fail the same way again. */
  constructor(message: string, messageType: string, validationErrors: string[] = [], options: SubclassOptions = {}) {
    super(message, {
      ...options,
      severity: options.severity ?? ErrorSeverity.LOW,
      recoverable: options.recoverable ?? false,
      category: options.category ?? ErrorCategory.MESSAGE_VALIDATION,
      context: { messageType, validationErrors, ...options.context },
    });
    this.messageType = messageType;
    this.validationErrors = [...validationErrors];
  }
}

export class JobProcessingError extends SocketError {
  override name = 'JobProcessingError';
  readonly jobId: string;
  readonly isRecoverable: boolean;

  constructor(message: string, jobId: string, isRecoverable: boolean, options: SubclassOptions = {}) {
    super(message, {
      ...options,
      severity: options.severity ?? (isRecoverable ? ErrorSeverity.MEDIUM : ErrorSeverity.HIGH),
      recoverable: isRecoverable,
      category: options.category ?? ErrorCategory.JOB_PROCESSING,
      context: { jobId, ...options.context },
    });
    this.jobId = jobId;
    this.isRecoverable = isRecoverable;
  }
}

export class DatabaseError extends SocketError {
  override name = 'DatabaseError';

  constructor(message: string, options: SubclassOptions = {}) {
    super(message, {
      ...options,
      severity: options.severity ?? ErrorSeverity.HIGH,
      category: options.category ?? ErrorCategory.DATABASE,
    });
  }
}

// ---------------------------------------------------------------------------
// Factories

/** Extra settings the factories accept after the seed's arguments. */
export type FactoryOptions = Pick<SocketErrorOptions, 'severity' | 'code' | 'cause' | 'recoverable'>;

export function createConnectionError(
  message: string,
  connectionId: string,
  context?: Record<string, unknown>,
  options: FactoryOptions = {},
): ConnectionError {
  return new ConnectionError(message, connectionId, { ...options, context });
}

export function createMessageError(
  message: string,
  messageType: string,
  validationErrors: string[] = [],
  options: FactoryOptions & { context?: Record<string, unknown> } = {},
): MessageError {
  return new MessageError(message, messageType, validationErrors, options);
}

export function createJobProcessingError(
  message: string,
  jobId: string,
  isRecoverable: boolean,
  context?: Record<string, unknown>,
  options: Omit<FactoryOptions, 'recoverable'> = {},
): JobProcessingError {
  return new JobProcessingError(message, jobId, isRecoverable, { ...options, context });
}

/** Not recoverable by default; pass `{ recoverable: true }` for transient failures such as SQLITE_BUSY. */
export function createDatabaseError(
  message: string,
  context?: Record<string, unknown>,
  options: FactoryOptions = {},
): DatabaseError {
  return new DatabaseError(message, { ...options, context });
}

/** Error codes that say "try again later", and what they are. */
const TRANSIENT_CODES: Readonly<Record<string, ErrorCategory>> = {
  ECONNRESET: ErrorCategory.NETWORK,
  ECONNREFUSED: ErrorCategory.NETWORK,
  EPIPE: ErrorCategory.NETWORK,
  EAI_AGAIN: ErrorCategory.NETWORK,
  ETIMEDOUT: ErrorCategory.TIMEOUT,
  EMFILE: ErrorCategory.RESOURCE,
  SQLITE_BUSY: ErrorCategory.DATABASE,
  SQLITE_LOCKED: ErrorCategory.DATABASE,
};

const codeOf = (value: object): string | undefined => {
  const code = (value as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
};

/**
 * Wraps any thrown value. A SocketError is returned as is. Otherwise the
 * category is `category` when given, else guessed from a known error code
 * (ECONNRESET → network, SQLITE_BUSY → database, …), else INTERNAL; known
 * transient codes make the error recoverable.
 */
export function toSocketError(value: unknown, category?: ErrorCategory): SocketError {
  if (value instanceof SocketError) return value;
  if (value instanceof Error) {
    const code = codeOf(value);
    const transient = code === undefined ? undefined : TRANSIENT_CODES[code];
    const wrapped = new SocketError(value.message || value.name, {
      category: category ?? transient ?? ErrorCategory.INTERNAL,
      severity: ErrorSeverity.MEDIUM,
      recoverable: transient !== undefined,
      context: { originalName: value.name },
      cause: value,
      ...(code === undefined ? {} : { code }),
    });
    if (value.stack !== undefined) wrapped.stack = value.stack;
    return wrapped;
  }
  let message: string;
  if (typeof value === 'string') message = value;
  else if (typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string') {
    message = (value as { message: string }).message;
  } else {
    message = `Non-error value thrown: ${String(value)}`;
  }
  return new SocketError(message, {
    category: category ?? ErrorCategory.INTERNAL,
    severity: ErrorSeverity.MEDIUM,
    context: { thrownType: value === null ? 'null' : typeof value },
    cause: value,
  });
}

// ---------------------------------------------------------------------------
// Handling

export const ErrorHandlingResultSchema = z.object({
  handled: z.boolean(),
  shouldRetry: z.boolean(),
  /** ms to wait before retrying. */
  retryAfter: z.number().int().nonnegative().optional(),
  shouldNotify: z.boolean(),
  shouldTerminate: z.boolean(),
  resolution: z.string().optional(),
});
export type ErrorHandlingResult = z.infer<typeof ErrorHandlingResultSchema>;

export interface ErrorHandler {
  canHandle(error: SocketError): boolean;
  handle(error: SocketError, context?: Record<string, unknown>): Promise<ErrorHandlingResult>;
  /** Higher runs first. */
  getPriority(): number;
}

export const RetryConfigSchema = z.object({
  maxRetries: z.number().int().nonnegative().default(3),
  retryDelay: z.number().int().nonnegative().default(5000),
  backoffMultiplier: z.number().min(1).default(2),
  maxRetryDelay: z.number().int().nonnegative().default(30_000),
});
export type RetryConfig = z.infer<typeof RetryConfigSchema>;

export type ErrorLogLevel = 'debug' | 'info' | 'warn' | 'error';
/** The logger shape ErrorManager writes to (a pino logger fits). */
export type ErrorLogger = Record<ErrorLogLevel, (record: object, message: string) => void>;

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface ErrorManagerConfig {
  /** Least severe level that is logged (default 'info'). */
  logLevel?: ErrorLogLevel;
  /** Include stacks in records and logs (default false). */
  enableStackTraces?: boolean;
  retryConfig?: Partial<RetryConfig>;
  /** How many recent errors to keep, at most 1000 (default 1000). */
  maxRecentErrors?: number;
  logger?: ErrorLogger;
  /** Waiting between retries; injectable so tests need not wait. */
  sleep?: Sleep;
}

export interface RetryOptions {
  maxRetries?: number;
  sleep?: Sleep;
  signal?: AbortSignal;
  /** Overrides the default decision (recoverable and attempts left). */
  shouldRetry?: (error: SocketError, attempt: number) => boolean;
  onRetry?: (error: SocketError, attempt: number, delayMs: number) => void;
}

export type ErrorListener = (error: SocketError, result: ErrorHandlingResult) => void | Promise<void>;

export interface ErrorStats {
  total: number;
  handled: number;
  unhandled: number;
  byCategory: Record<ErrorCategory, number>;
  bySeverity: Record<ErrorSeverity, number>;
}

export const MAX_RECENT_ERRORS = 1000;

const LEVEL_RANK: Record<ErrorLogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SEVERITY_LEVEL: Record<ErrorSeverity, ErrorLogLevel> = {
  low: 'info',
  medium: 'warn',
  high: 'error',
  critical: 'error',
};

const zeroCounts = <K extends string>(keys: readonly K[]): Record<K, number> =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

export const defaultSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export class ErrorManager {
  readonly retryConfig: Readonly<RetryConfig>;
  readonly logLevel: ErrorLogLevel;
  readonly enableStackTraces: boolean;

  private readonly handlers: { handler: ErrorHandler; priority: number }[] = [];
  private readonly listeners = new Set<ErrorListener>();
  private readonly logger: ErrorLogger | undefined;
  private readonly sleep: Sleep;
  private readonly capacity: number;
  // Ring of recent errors: `next` is where the next one goes.
  private readonly ring: SocketError[] = [];
  private next = 0;
  private stats: ErrorStats = ErrorManager.emptyStats();

  constructor(config: ErrorManagerConfig = {}) {
    this.retryConfig = Object.freeze(RetryConfigSchema.parse(config.retryConfig ?? {}));
    this.logLevel = config.logLevel ?? 'info';
    this.enableStackTraces = config.enableStackTraces ?? false;
    this.logger = config.logger;
    this.sleep = config.sleep ?? defaultSleep;
    this.capacity = Math.max(1, Math.min(MAX_RECENT_ERRORS, Math.floor(config.maxRecentErrors ?? MAX_RECENT_ERRORS)));
  }

  private static emptyStats(): ErrorStats {
    return {
      total: 0,
      handled: 0,
      unhandled: 0,
      byCategory: zeroCounts(ErrorCategorySchema.options),
      bySeverity: zeroCounts(ErrorSeveritySchema.options),
    };
  }

  /** Handlers run highest priority first; equal priorities in registration order. */
  registerHandler(handler: ErrorHandler): () => void {
    const priority = handler.getPriority();
    const index = this.handlers.findIndex((h) => h.priority < priority);
    const entry = { handler, priority };
    if (index === -1) this.handlers.push(entry);
    else this.handlers.splice(index, 0, entry);
    return () => {
      this.unregisterHandler(handler);
    };
  }

  unregisterHandler(handler: ErrorHandler): boolean {
    const index = this.handlers.findIndex((h) => h.handler === handler);
    if (index === -1) return false;
    this.handlers.splice(index, 1);
    return true;
  }

  getHandlers(): ErrorHandler[] {
    return this.handlers.map((h) => h.handler);
  }

  /** Every handled error reaches every listener; a failing listener is ignored. */
  onError(listener: ErrorListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * Wraps `error`, records it, and asks the highest-priority handler that can
   * handle it. A handler that throws is passed over for the next one. `context`
   * is added to the error's context (keys already there win).
   */
  async handleError(error: unknown, context?: Record<string, unknown>): Promise<ErrorHandlingResult> {
    const socketError = toSocketError(error);
    if (context) {
      for (const [key, value] of Object.entries(context)) {
        if (!(key in socketError.context)) socketError.context[key] = value;
      }
    }
    this.remember(socketError);

    let result: ErrorHandlingResult | undefined;
    for (const { handler } of [...this.handlers]) {
      try {
        if (!handler.canHandle(socketError)) continue;
        result = await handler.handle(socketError, context);
        break;
      } catch {
        // A broken handler must not hide the error from the others.
      }
    }
    result ??= this.defaultResult(socketError);

    if (result.handled) this.stats.handled += 1;
    else this.stats.unhandled += 1;
    this.log(socketError, result);
    this.notify(socketError, result);
    return result;
  }

  /** Delay before retry number `attempt` (1-based): retryDelay × multiplier^(attempt−1), capped. */
  getRetryDelay(attempt: number): number {
    const { retryDelay, backoffMultiplier, maxRetryDelay } = this.retryConfig;
    const n = Math.max(1, Math.floor(attempt));
    return Math.round(Math.min(retryDelay * backoffMultiplier ** (n - 1), maxRetryDelay));
  }

  /** Whether to try again after `attempt` attempts (1-based) failed with `error`. */
  shouldRetry(error: unknown, attempt: number, maxRetries = this.retryConfig.maxRetries): boolean {
    return toSocketError(error).recoverable && attempt <= maxRetries;
  }

  /**
   * Runs `fn`, retrying recoverable failures up to maxRetries times with
   * backoff. Throws the last failure as a SocketError (context.attempts set).
   */
  async withRetry<T>(fn: (attempt: number) => Promise<T> | T, opts: RetryOptions = {}): Promise<T> {
    const maxRetries = opts.maxRetries ?? this.retryConfig.maxRetries;
    const sleep = opts.sleep ?? this.sleep;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await fn(attempt);
      } catch (thrown) {
        const error = toSocketError(thrown);
        const retry = opts.shouldRetry
          ? attempt <= maxRetries && opts.shouldRetry(error, attempt)
          : this.shouldRetry(error, attempt, maxRetries);
        if (!retry || opts.signal?.aborted) {
          error.context.attempts = attempt;
          throw error;
        }
        const delay = this.getRetryDelay(attempt);
        opts.onRetry?.(error, attempt, delay);
        await sleep(delay, opts.signal);
      }
    }
  }

  /** Most recent first. */
  getRecentErrors(limit = 50): SocketError[] {
    const n = Math.max(0, Math.min(Math.floor(limit), this.ring.length));
    const out: SocketError[] = [];
    for (let i = 1; i <= n; i += 1) {
      const index = (this.next - i + this.ring.length) % this.ring.length;
      const entry = this.ring[index];
      if (entry) out.push(entry);
    }
    return out;
  }

  getStats(): ErrorStats {
    return {
      ...this.stats,
      byCategory: { ...this.stats.byCategory },
      bySeverity: { ...this.stats.bySeverity },
    };
  }

  clear(): void {
    this.ring.length = 0;
    this.next = 0;
    this.stats = ErrorManager.emptyStats();
  }

  /** The error as stored/logged, with its stack if stack traces are enabled. */
  toRecord(error: SocketError): SocketErrorRecord {
    return error.toJSON({ includeStack: this.enableStackTraces });
  }

  private defaultResult(error: SocketError): ErrorHandlingResult {
    const result: ErrorHandlingResult = {
      handled: false,
      shouldRetry: error.recoverable,
      shouldNotify: error.severity === ErrorSeverity.HIGH || error.severity === ErrorSeverity.CRITICAL,
      shouldTerminate: false,
    };
    if (error.recoverable) result.retryAfter = this.getRetryDelay(1);
    return result;
  }

  private remember(error: SocketError): void {
    if (this.ring.length < this.capacity) this.ring.push(error);
    else this.ring[this.next] = error;
    this.next = (this.next + 1) % this.capacity;
    this.stats.total += 1;
    this.stats.byCategory[error.category] += 1;
    this.stats.bySeverity[error.severity] += 1;
  }

  private log(error: SocketError, result: ErrorHandlingResult): void {
    if (!this.logger) return;
    const level = SEVERITY_LEVEL[error.severity];
    if (LEVEL_RANK[level] < LEVEL_RANK[this.logLevel]) return;
    try {
      this.logger[level]({ error: this.toRecord(error), handled: result.handled, resolution: result.resolution }, error.message);
    } catch {
      // Logging must never turn one error into two.
    }
  }

  private notify(error: SocketError, result: ErrorHandlingResult): void {
    for (const listener of [...this.listeners]) {
      try {
        const pending = listener(error, result);
        if (pending && typeof pending.then === 'function') pending.catch(() => undefined);
      } catch {
        // Listeners observe; they cannot fail the handling.
      }
    }
  }
}
