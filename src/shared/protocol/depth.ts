/**
 * Nesting limits for decoded crawler JSON. V8 parses deep JSON iteratively but
 * serialises it recursively: a 5,000-deep value that was stored or put on an
 * event stream would crash the process in `JSON.stringify`. So depth is checked
 * once, right after parsing, before anything keeps the value.
 */

/** Deepest nesting (objects and arrays, the message itself is level 1) a crawler message may have. */
export const MAX_MESSAGE_DEPTH = 64;

/**
 * True when `value` nests objects or arrays deeper than `limit` levels.
 * Stops at the first branch past the limit, so the recursion never goes deeper
 * than `limit` frames whatever the input; scalars cost one `typeof` each.
 */
export function exceedsDepth(value: unknown, limit: number = MAX_MESSAGE_DEPTH): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (limit <= 0) return true;
  const below = limit - 1;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'object' && v !== null && exceedsDepth(v, below)) return true;
    }
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const k in record) {
    const v = record[k];
    if (typeof v === 'object' && v !== null && exceedsDepth(v, below)) return true;
  }
  return false;
}

/** A lone UTF-16 surrogate: text that has no UTF-8 form (SQLite would store it as U+FFFD). */
const LONE_SURROGATE = /\p{Cs}/u;

/** True when `s` is well-formed Unicode (no lone surrogates). */
export const isWellFormedText = (s: string): boolean => !LONE_SURROGATE.test(s);
