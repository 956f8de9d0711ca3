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
 * GitLab token formats (glpat-, gloas-, gldt-, glrt-, glptt-, glft-, glsoat- …),
 * `Bearer …` and `PRIVATE-TOKEN: …` headers.
 */
const SECRET_TEXT = [
  /\bgl[a-z]{2,5}-[A-Za-z0-9_.-]{16,}/g,
  /\b(Bearer\s+)[A-Za-z0-9_.~+/=-]{8,}/gi,
  /\b(PRIVATE-TOKEN\s*[:=]\s*)\S{8,}/gi,
];

export function scrubSecretText(text: string): string {
  let out = text;
  for (const re of SECRET_TEXT) out = out.replace(re, (_m, prefix?: string) => `${typeof prefix === 'string' ? prefix : ''}${REDACTED}`);
  return out;
}

const MAX_DEPTH = 8;

/** A JSON-safe copy of `value` with secret-named keys replaced and token-like text scrubbed. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubSecretText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[truncated]';
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  if (value instanceof Error) return { name: value.name, message: scrubSecretText(value.message) };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = isSecretKey(k) ? REDACTED : redactSecrets(v, depth + 1);
  return out;
}
