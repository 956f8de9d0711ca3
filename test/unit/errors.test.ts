import { describe, expect, it } from 'vitest';
import {
  ConnectionError,
  DatabaseError,
  ErrorCategory,
  ErrorCategorySchema,
  ErrorManager,
  ErrorSeverity,
  ErrorSeveritySchema,
  JobProcessingError,
  MAX_RECENT_ERRORS,
  MessageError,
  SocketError,
  SocketErrorRecordSchema,
  createConnectionError,
  createDatabaseError,
  createJobProcessingError,
  createMessageError,
  defaultSleep,
  toSocketError,
} from '../../src/main/socket/types/errors';
import type { ErrorHandler, ErrorHandlingResult, ErrorLogger } from '../../src/main/socket/types/errors';

const result = (resolution: string, extra: Partial<ErrorHandlingResult> = {}): ErrorHandlingResult => ({
  handled: true,
  shouldRetry: false,
  shouldNotify: false,
  shouldTerminate: false,
  resolution,
  ...extra,
});

/** A handler that records the calls it gets. */
class RecordingHandler implements ErrorHandler {
  calls: SocketError[] = [];
  constructor(
    private readonly label: string,
    private readonly priority: number,
    private readonly accepts: (e: SocketError) => boolean = () => true,
    private readonly fails = false,
  ) {}
  canHandle(error: SocketError): boolean {
    return this.accepts(error);
  }
  async handle(error: SocketError): Promise<ErrorHandlingResult> {
    this.calls.push(error);
    if (this.fails) throw new Error(`${this.label} broke`);
    return result(this.label);
  }
  getPriority(): number {
    return this.priority;
  }
}

/** Records the delays asked for instead of waiting. */
const fakeSleep = () => {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
};

describe('categories and severities', () => {
  it('carry the seed’s string values and validate through zod', () => {
    expect(ErrorCategory.DATABASE).toBe('database');
    expect(ErrorCategory.MESSAGE_PARSING).toBe('message_parsing');
    expect(ErrorCategorySchema.options).toEqual([
      'connection',
      'message_parsing',
      'message_validation',
      'database',
      'job_processing',
      'authentication',
      'rate_limiting',
      'network',
      'timeout',
      'resource',
      'configuration',
      'internal',
    ]);
    expect(ErrorSeveritySchema.options).toEqual(['low', 'medium', 'high', 'critical']);
    expect(ErrorSeverity.CRITICAL).toBe('critical');
    expect(ErrorCategorySchema.safeParse('nope').success).toBe(false);
  });
});

describe('error factories', () => {
  it('createConnectionError', () => {
    const e = createConnectionError('Connection timeout', 'conn-123', { timeout: 30000 });
    expect(e).toBeInstanceOf(ConnectionError);
    expect(e).toBeInstanceOf(SocketError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ConnectionError');
    expect(e.message).toBe('Connection timeout');
    expect(e.connectionId).toBe('conn-123');
    expect(e.category).toBe(ErrorCategory.CONNECTION);
    expect(e.severity).toBe(ErrorSeverity.MEDIUM);
    expect(e.recoverable).toBe(true);
    expect(e.context).toEqual({ connectionId: 'conn-123', timeout: 30000 });
    expect(e.timestamp).toBeInstanceOf(Date);
  });

  it('createMessageError', () => {
    const e = createMessageError('Invalid message format', 'job_progress', ['Missing required field: job_id']);
    expect(e).toBeInstanceOf(MessageError);
    expect(e.messageType).toBe('job_progress');
    expect(e.validationErrors).toEqual(['Missing required field: job_id']);
    expect(e.category).toBe(ErrorCategory.MESSAGE_VALIDATION);
    expect(e.severity).toBe(ErrorSeverity.LOW);
    expect(e.recoverable).toBe(false);
    expect(createMessageError('x', 'heartbeat').validationErrors).toEqual([]);
    expect(createMessageError('bad json', 'unknown', [], { context: { line: 3 } }).context.line).toBe(3);
  });

  it('createJobProcessingError grades by recoverability', () => {
    const soft = createJobProcessingError('Job execution failed', 'job-456', true, { stage: 'data_processing', retryCount: 2 });
    expect(soft).toBeInstanceOf(JobProcessingError);
    expect(soft.jobId).toBe('job-456');
    expect(soft.isRecoverable).toBe(true);
    expect(soft.recoverable).toBe(true);
    expect(soft.severity).toBe(ErrorSeverity.MEDIUM);
    expect(soft.category).toBe(ErrorCategory.JOB_PROCESSING);
    expect(soft.context).toEqual({ jobId: 'job-456', stage: 'data_processing', retryCount: 2 });

    const hard = createJobProcessingError('Job execution failed', 'job-457', false);
    expect(hard.isRecoverable).toBe(false);
    expect(hard.recoverable).toBe(false);
    expect(hard.severity).toBe(ErrorSeverity.HIGH);
  });

  it('createDatabaseError', () => {
    const cause = new Error('SQLITE_FULL');
    const e = createDatabaseError('insert failed', { table: 'jobs' }, { cause, code: 'SQLITE_FULL' });
    expect(e).toBeInstanceOf(DatabaseError);
    expect(e.category).toBe(ErrorCategory.DATABASE);
    expect(e.severity).toBe(ErrorSeverity.HIGH);
    expect(e.recoverable).toBe(false);
    expect(e.code).toBe('SQLITE_FULL');
    expect(e.cause).toBe(cause);
    expect(e.context).toEqual({ table: 'jobs' });
    expect(createDatabaseError('busy', undefined, { recoverable: true }).recoverable).toBe(true);
  });
});

describe('toSocketError', () => {
  it('returns a SocketError unchanged', () => {
    const e = createConnectionError('x', 'c');
    expect(toSocketError(e, ErrorCategory.DATABASE)).toBe(e);
  });

  it('wraps an Error, keeping message, stack and cause', () => {
    const original = new TypeError('bad thing');
    const e = toSocketError(original);
    expect(e.category).toBe(ErrorCategory.INTERNAL);
    expect(e.message).toBe('bad thing');
    expect(e.cause).toBe(original);
    expect(e.stack).toBe(original.stack);
    expect(e.recoverable).toBe(false);
    expect(e.context.originalName).toBe('TypeError');
    expect(toSocketError(original, ErrorCategory.DATABASE).category).toBe(ErrorCategory.DATABASE);
  });

  it('recognises transient system codes', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const e = toSocketError(reset);
    expect(e.category).toBe(ErrorCategory.NETWORK);
    expect(e.recoverable).toBe(true);
    expect(e.code).toBe('ECONNRESET');
    const busy = toSocketError(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }));
    expect(busy.category).toBe(ErrorCategory.DATABASE);
    expect(busy.recoverable).toBe(true);
  });

  it('wraps values that are not errors', () => {
    expect(toSocketError('plain text').message).toBe('plain text');
    expect(toSocketError({ message: 'shaped' }).message).toBe('shaped');
    const n = toSocketError(42, ErrorCategory.TIMEOUT);
    expect(n.message).toContain('42');
    expect(n.category).toBe(ErrorCategory.TIMEOUT);
    expect(toSocketError(null).context.thrownType).toBe('null');
  });
});

describe('SocketError.toJSON', () => {
  it('gives a plain record, stack only when asked', () => {
    const e = createJobProcessingError('failed', 'j1', true, { step: 2 });
    const record = e.toJSON();
    expect(SocketErrorRecordSchema.parse(record)).toEqual(record);
    expect(record).toEqual({
      name: 'JobProcessingError',
      message: 'failed',
      category: 'job_processing',
      severity: 'medium',
      timestamp: e.timestamp.toISOString(),
      context: { jobId: 'j1', step: 2 },
      recoverable: true,
    });
    expect(e.toJSON({ includeStack: true }).stack).toContain('failed');
    // JSON.stringify passes a key string: no stack then.
    expect(JSON.parse(JSON.stringify({ e })).e.stack).toBeUndefined();
  });

  it('redacts secret-named context keys, nested ones too, without touching the error', () => {
    const e = createConnectionError('auth failed', 'c1', {
      auth_token: 'tok-AAA',
      password: 'pw-BBB',
      clientSecret: 'sec-CCC',
      headers: { Authorization: 'Bearer DDD', accept: 'json' },
      attempts: [{ apiKey: 'key-EEE' }],
      crawlerId: 'crawler-1',
    });
    const text = JSON.stringify(e.toJSON());
    for (const secret of ['tok-AAA', 'pw-BBB', 'sec-CCC', 'DDD', 'key-EEE']) expect(text).not.toContain(secret);
    const context = e.toJSON().context;
    expect(context.auth_token).toBe('[redacted]');
    expect(context.headers).toEqual({ Authorization: '[redacted]', accept: 'json' });
    expect(context.crawlerId).toBe('crawler-1');
    expect(e.context.auth_token).toBe('tok-AAA');
  });

  it('survives cycles, dates and bigints in context', () => {
    const loop: Record<string, unknown> = { n: 1n, at: new Date(0) };
    loop.self = loop;
    const record = new SocketError('x', { category: ErrorCategory.INTERNAL, context: { loop } }).toJSON();
    expect(record.context).toEqual({ loop: { n: '1', at: '1970-01-01T00:00:00.000Z', self: '[circular]' } });
  });
});

describe('ErrorManager handlers', () => {
  it('asks the highest-priority handler that can handle the error', async () => {
    const m = new ErrorManager();
    const low = new RecordingHandler('low', 10);
    const high = new RecordingHandler('high', 100);
    const dbOnly = new RecordingHandler('db', 500, (e) => e.category === ErrorCategory.DATABASE);
    const mid = new RecordingHandler('mid', 50);
    for (const h of [low, high, dbOnly, mid]) m.registerHandler(h);
    expect(m.getHandlers()).toEqual([dbOnly, high, mid, low]);

    expect((await m.handleError(createConnectionError('x', 'c'))).resolution).toBe('high');
    expect((await m.handleError(createDatabaseError('y'))).resolution).toBe('db');
    expect(high.calls).toHaveLength(1);
    expect(mid.calls).toHaveLength(0);

    m.unregisterHandler(high);
    expect((await m.handleError(createConnectionError('x', 'c'))).resolution).toBe('mid');
  });

  it('keeps registration order among equal priorities, and the returned function unregisters', async () => {
    const m = new ErrorManager();
    const first = new RecordingHandler('first', 10);
    const second = new RecordingHandler('second', 10);
    const unregisterFirst = m.registerHandler(first);
    m.registerHandler(second);
    expect((await m.handleError(new Error('e'))).resolution).toBe('first');
    unregisterFirst();
    expect((await m.handleError(new Error('e'))).resolution).toBe('second');
    expect(m.unregisterHandler(first)).toBe(false);
  });

  it('skips a handler that throws and tries the next', async () => {
    const m = new ErrorManager();
    const broken = new RecordingHandler('broken', 100, () => true, true);
    const throwsInCanHandle = new RecordingHandler('picky', 90, () => {
      throw new Error('canHandle broke');
    });
    const fallback = new RecordingHandler('fallback', 1);
    [broken, throwsInCanHandle, fallback].forEach((h) => m.registerHandler(h));
    const r = await m.handleError(createConnectionError('x', 'c'));
    expect(broken.calls).toHaveLength(1);
    expect(r.resolution).toBe('fallback');
    expect(m.getStats().handled).toBe(1);
  });

  it('gives a default result when no handler takes the error', async () => {
    const m = new ErrorManager({ retryConfig: { retryDelay: 200 } });
    m.registerHandler(new RecordingHandler('db', 10, (e) => e.category === ErrorCategory.DATABASE));
    expect(await m.handleError(createConnectionError('x', 'c'))).toEqual({
      handled: false,
      shouldRetry: true,
      retryAfter: 200,
      shouldNotify: false,
      shouldTerminate: false,
    });
    const hard = await m.handleError(createJobProcessingError('x', 'j', false));
    expect(hard.handled).toBe(false);
    expect(hard.shouldRetry).toBe(false);
    expect(hard.retryAfter).toBeUndefined();
    expect(hard.shouldNotify).toBe(true);
    expect(m.getStats().unhandled).toBe(2);
  });

  it('adds call-site context without overwriting the error’s own keys', async () => {
    const m = new ErrorManager();
    const e = createConnectionError('x', 'c1');
    await m.handleError(e, { connectionId: 'other', crawlerId: 'cr-1' });
    expect(e.context).toEqual({ connectionId: 'c1', crawlerId: 'cr-1' });
  });

  it('tells every listener about every error with its result; failing listeners are ignored', async () => {
    const m = new ErrorManager();
    m.registerHandler(new RecordingHandler('h', 1, (e) => e.category === ErrorCategory.DATABASE));
    const seen: [string, boolean][] = [];
    m.onError(() => {
      throw new Error('listener broke');
    });
    m.onError(async () => {
      throw new Error('async listener broke');
    });
    const unsubscribe = m.onError((e, r) => void seen.push([e.message, r.handled]));
    await m.handleError(createDatabaseError('db down'));
    await m.handleError('thrown string');
    unsubscribe();
    await m.handleError('after unsubscribe');
    expect(seen).toEqual([
      ['db down', true],
      ['thrown string', false],
    ]);
  });

  it('logs at the level of the severity, above the configured level, without secrets', async () => {
    const lines: [string, string, string][] = [];
    const log = (level: string) => (record: object, message: string) => void lines.push([level, message, JSON.stringify(record)]);
    const logger: ErrorLogger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
    const m = new ErrorManager({ logger, logLevel: 'warn' });
    await m.handleError(createMessageError('low one', 'x'));
    await m.handleError(createConnectionError('medium one', 'c', { token: 'SECRET-1' }));
    await m.handleError(createDatabaseError('high one'));
    expect(lines.map(([level, message]) => [level, message])).toEqual([
      ['warn', 'medium one'],
      ['error', 'high one'],
    ]);
    expect(lines.map((l) => l[2]).join()).not.toContain('SECRET-1');
  });
});

describe('ErrorManager retries', () => {
  it('delays grow by the multiplier and stop at the cap', () => {
    const m = new ErrorManager({ retryConfig: { maxRetries: 3, retryDelay: 5000, backoffMultiplier: 2, maxRetryDelay: 30000 } });
    expect([1, 2, 3, 4, 5, 10].map((n) => m.getRetryDelay(n))).toEqual([5000, 10000, 20000, 30000, 30000, 30000]);
    expect(m.getRetryDelay(0)).toBe(5000);
    expect(new ErrorManager().retryConfig).toEqual({ maxRetries: 3, retryDelay: 5000, backoffMultiplier: 2, maxRetryDelay: 30000 });
  });

  it('shouldRetry needs a recoverable error and attempts left', () => {
    const m = new ErrorManager({ retryConfig: { maxRetries: 2 } });
    const soft = createConnectionError('x', 'c');
    expect(m.shouldRetry(soft, 1)).toBe(true);
    expect(m.shouldRetry(soft, 2)).toBe(true);
    expect(m.shouldRetry(soft, 3)).toBe(false);
    expect(m.shouldRetry(createMessageError('x', 't'), 1)).toBe(false);
    expect(m.shouldRetry(new Error('plain'), 1)).toBe(false);
  });

  it('withRetry retries a recoverable failure with backoff, then succeeds', async () => {
    const { delays, sleep } = fakeSleep();
    const m = new ErrorManager({ retryConfig: { retryDelay: 100, maxRetryDelay: 1000 }, sleep });
    const attempts: number[] = [];
    const value = await m.withRetry(async (attempt) => {
      attempts.push(attempt);
      if (attempt < 3) throw Object.assign(new Error('reset'), { code: 'ECONNRESET' });
      return 'ok';
    });
    expect(value).toBe('ok');
    expect(attempts).toEqual([1, 2, 3]);
    expect(delays).toEqual([100, 200]);
  });

  it('withRetry gives up after maxRetries retries and throws the last error', async () => {
    const { delays, sleep } = fakeSleep();
    const m = new ErrorManager({ retryConfig: { maxRetries: 3, retryDelay: 10, maxRetryDelay: 25 }, sleep });
    let calls = 0;
    const retried: number[] = [];
    const failure = await m
      .withRetry(
        () => {
          calls += 1;
          throw createJobProcessingError(`try ${calls}`, 'j1', true);
        },
        { onRetry: (_e, attempt) => void retried.push(attempt) },
      )
      .catch((e: unknown) => e);
    expect(calls).toBe(4);
    expect(retried).toEqual([1, 2, 3]);
    expect(delays).toEqual([10, 20, 25]);
    expect(failure).toBeInstanceOf(JobProcessingError);
    expect((failure as SocketError).message).toBe('try 4');
    expect((failure as SocketError).context.attempts).toBe(4);
  });

  it('withRetry does not retry what is not recoverable', async () => {
    const { delays, sleep } = fakeSleep();
    const m = new ErrorManager({ sleep });
    let calls = 0;
    const plain = new Error('bug');
    const failure = await m
      .withRetry(() => {
        calls += 1;
        throw plain;
      })
      .catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect(delays).toEqual([]);
    expect(failure).toBeInstanceOf(SocketError);
    expect((failure as SocketError).cause).toBe(plain);
  });

  it('withRetry honours per-call maxRetries and shouldRetry', async () => {
    const { sleep } = fakeSleep();
    const m = new ErrorManager({ sleep });
    let calls = 0;
    await expect(
      m.withRetry(
        () => {
          calls += 1;
          throw new Error('plain but retryable here');
        },
        { maxRetries: 1, shouldRetry: () => true },
      ),
    ).rejects.toThrow('plain but retryable here');
    expect(calls).toBe(2);
  });

  it('the default sleep waits and can be aborted', async () => {
    const started = Date.now();
    await defaultSleep(20);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    const controller = new AbortController();
    const pending = defaultSleep(10_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
  });
});

describe('ErrorManager memory', () => {
  it('keeps at most 1000 recent errors, newest first', async () => {
    const m = new ErrorManager({ maxRecentErrors: 5000 });
    const total = MAX_RECENT_ERRORS + 25;
    for (let i = 0; i < total; i++) await m.handleError(createMessageError(`e${i}`, 't'));
    const recent = m.getRecentErrors(5000);
    expect(recent).toHaveLength(MAX_RECENT_ERRORS);
    expect(recent[0]?.message).toBe(`e${total - 1}`);
    expect(recent.at(-1)?.message).toBe(`e${total - MAX_RECENT_ERRORS}`);
    expect(m.getRecentErrors(3).map((e) => e.message)).toEqual([`e${total - 1}`, `e${total - 2}`, `e${total - 3}`]);
    expect(m.getStats().total).toBe(total);
  });

  it('a smaller ring wraps correctly', async () => {
    const m = new ErrorManager({ maxRecentErrors: 3 });
    for (const msg of ['a', 'b']) await m.handleError(msg);
    expect(m.getRecentErrors().map((e) => e.message)).toEqual(['b', 'a']);
    for (const msg of ['c', 'd', 'e']) await m.handleError(msg);
    expect(m.getRecentErrors().map((e) => e.message)).toEqual(['e', 'd', 'c']);
  });

  it('counts by category and severity; clear resets', async () => {
    const m = new ErrorManager();
    await m.handleError(createConnectionError('a', 'c'));
    await m.handleError(createConnectionError('b', 'c'));
    await m.handleError(createDatabaseError('c'));
    await m.handleError(new Error('d'));
    const stats = m.getStats();
    expect(stats.total).toBe(4);
    expect(stats.byCategory.connection).toBe(2);
    expect(stats.byCategory.database).toBe(1);
    expect(stats.byCategory.internal).toBe(1);
    expect(stats.byCategory.network).toBe(0);
    expect(stats.bySeverity).toEqual({ low: 0, medium: 3, high: 1, critical: 0 });
    stats.byCategory.connection = 99;
    expect(m.getStats().byCategory.connection).toBe(2);
    m.clear();
    expect(m.getStats().total).toBe(0);
    expect(m.getRecentErrors()).toEqual([]);
  });

  it('toRecord includes stacks only when stack traces are enabled', () => {
    const e = createDatabaseError('x');
    expect(new ErrorManager().toRecord(e).stack).toBeUndefined();
    expect(new ErrorManager({ enableStackTraces: true }).toRecord(e).stack).toContain('x');
  });
});
