/**
 * Structured logging with pino: JSON lines, cheap enough for the message path,
 * and redaction so no token can reach a log even if a caller logs a whole message.
 */
import pino, { type Logger } from 'pino';
import { LogSink, type LogSinkHealth } from './log-sink';

export type { LogSinkHealth };

export type { Logger };

const SECRET_KEYS = ['access_token', 'accessToken', 'auth_token', 'authToken', 'token', 'authorization', 'password', 'secret'];
/** pino's redaction takes explicit paths; cover secrets up to three levels deep. */
export const REDACT_PATHS = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]);

export interface LoggerOptions {
  level?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** A file descriptor or path; stderr by default. */
  destination?: number | string;
  name?: string;
  /** Told when writing the log fails (full or read-only disk) and when it works again. */
  onHealthChange?: (health: LogSinkHealth) => void;
}

/** The sink behind each logger createLogger made, for health reports and the exit flush. */
const sinks = new WeakMap<Logger, LogSink>();
const liveSinks = new Set<LogSink>();
let exitHook = false;

/**
 * A pino logger over a LogSink: writing never blocks the caller and never
 * throws or crashes, a full disk only degrades it (see `logHealth`).
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const sink = new LogSink({ destination: options.destination ?? 2, ...(options.onHealthChange && { onHealthChange: options.onHealthChange }) });
  const logger = pino(
    {
      name: options.name ?? 'crawl-console',
      level: options.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    sink,
  );
  sinks.set(logger, sink);
  liveSinks.add(sink);
  if (!exitHook) {
    exitHook = true;
    // One synchronous attempt per sink at exit; on a full disk the rest is lost, the exit is not.
    process.on('exit', () => {
      for (const s of liveSinks) s.flushSync();
    });
  }
  return logger;
}

/** Whether a logger made by createLogger can write (null for other loggers). */
export function logHealth(logger: Logger): LogSinkHealth | null {
  return sinks.get(logger)?.health ?? null;
}

/** Writes what is pending (one attempt) and closes the logger's file. */
export function closeLogger(logger: Logger): void {
  const sink = sinks.get(logger);
  if (!sink) return;
  sink.close();
  liveSinks.delete(sink);
}

/** A logger that writes nothing: the default for library use and tests. */
export const silentLogger: Logger = pino({ level: 'silent' });
