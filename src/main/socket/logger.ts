/**
 * Structured logging with pino: JSON lines, cheap enough for the message path,
 * and redaction so no token can reach a log even if a caller logs a whole message.
 */
import pino, { type Logger } from 'pino';

export type { Logger };

const SECRET_KEYS = ['access_token', 'accessToken', 'auth_token', 'authToken', 'token', 'authorization', 'password', 'secret'];
/** pino's redaction takes explicit paths; cover secrets up to three levels deep. */
export const REDACT_PATHS = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]);

export interface LoggerOptions {
  level?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** A file descriptor or path; stderr by default. */
  destination?: number | string;
  name?: string;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = pino.destination({ dest: options.destination ?? 2, sync: false, mkdir: true });
  return pino(
    {
      name: options.name ?? 'crawl-console',
      level: options.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}

/** A logger that writes nothing: the default for library use and tests. */
export const silentLogger: Logger = pino({ level: 'silent' });
