/**
 * Last line of defence against tokens reaching the database in plaintext:
 * every free-form value the store writes (event details, error context and
 * messages, last errors) goes through here. Callers should never pass secrets;
 * this catches the ones that slip through.
 */

export const REDACTED = '[redacted]';

/** Key names (lower case, without `_`/`-`) whose values are secrets. */
const SECRET_KEYS = new Set([
  'token',
  'accesstoken',
  'authtoken',
  'privatetoken',
  'refreshtoken',
  'bearertoken',
  'password',
  'passwd',
  'secret',
  'clientsecret',
  'authorization',
  'apikey',
  'cookie',
]);

const isSecretKey = (key: string): boolean => SECRET_KEYS.has(key.toLowerCase().replace(/[-_]/g, ''));

/**
 * The exact values of the tokens this process knows (saved credentials, the
 * crawler auth token): a crawler that echoes one back in any shape (a URL, a
 * quoted header, a key we did not foresee) is still caught. Shorter values are
 * not kept: replacing every "abc" in a text would redact nothing real.
 */
const knownSecrets = new Set<string>();
const MIN_KNOWN_SECRET = 8;

/** Makes `value` redacted wherever it appears in text the store writes or serves. */
export function rememberSecret(value: string | null | undefined): void {
  if (typeof value === 'string' && value.length >= MIN_KNOWN_SECRET) knownSecrets.add(value);
}

/** Forgets a value (a credential was replaced or deleted). */
export function forgetSecret(value: string | null | undefined): void {
  if (typeof value === 'string') knownSecrets.delete(value);
}

/**
 * GitLab token formats (glpat-, gloas-, gldt-, glrt-, glptt-, glft-, glsoat- …),
 * `Bearer …` and `PRIVATE-TOKEN: …` headers, `private_token=` / `access_token=`
 * parameters, and credentials in URLs (`https://oauth2:…@host`).
 */
const SECRET_TEXT = [
  /\bgl[a-z]{2,5}-[A-Za-z0-9_.-]{16,}/g,
  /\b(Bearer\s+)[A-Za-z0-9_.~+/=-]{8,}/gi,
  /\b(PRIVATE-TOKEN\s*[:=]\s*)\S{8,}/gi,
  /\b((?:private|access|auth|refresh)[_-]?token["']?\s*[:=]\s*["']?)[^\s&"',;}]{4,}/gi,
  /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+(?=@)/gi,
  /(\boauth2:)[^\s@/]+(?=@)/gi,
];

/**
 * What every SECRET_TEXT pattern needs somewhere in the text: one scan that
 * rules most texts out (a progress message is scrubbed on every report).
 */
const MAYBE_SECRET_TEXT = /gl[a-z]{2,5}-|bearer|private-token|token|@/i;

export function scrubSecretText(text: string): string {
  let out = text;
  for (const secret of knownSecrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  if (!MAYBE_SECRET_TEXT.test(out)) return out;
  for (const re of SECRET_TEXT) out = out.replace(re, (_m, prefix?: string) => `${typeof prefix === 'string' ? prefix : ''}${REDACTED}`);
  return out;
}

const MAX_DEPTH = 8;

export interface RedactOptions {
  /** Deeper values become "[truncated]" (default 8), or fail when `strict`. */
  maxDepth?: number;
  /** Throw instead of truncating: for values that must come back whole (a job's resume state). */
  strict?: boolean;
}

export class TooDeepError extends Error {
  override name = 'TooDeepError';
}

/** A JSON-safe copy of `value` with secret-named keys replaced and token-like text scrubbed. */
export function redactSecrets(value: unknown, options: RedactOptions = {}, depth = 0): unknown {
  if (typeof value === 'string') return scrubSecretText(value);
  if (value === null || typeof value !== 'object') return value;
  const maxDepth = options.maxDepth ?? MAX_DEPTH;
  if (depth >= maxDepth) {
    if (options.strict) throw new TooDeepError(`nested deeper than ${maxDepth} levels`);
    return '[truncated]';
  }
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, options, depth + 1));
  if (value instanceof Error) return { name: value.name, message: scrubSecretText(value.message) };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = isSecretKey(k) ? REDACTED : redactSecrets(v, options, depth + 1);
  return out;
}

/** The limit a resume state may nest to (the crawler protocol's own decode limit). */
export const RESUME_STATE_MAX_DEPTH = 64;

/** A resume state as stored: secrets redacted, never truncated (a cut state would resume wrongly), too deep → TooDeepError. */
export const redactResumeState = (value: unknown): unknown => redactSecrets(value, { maxDepth: RESUME_STATE_MAX_DEPTH, strict: true });
