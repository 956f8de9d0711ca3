/**
 * Addresses as text, without the DOM (the router and the token code use them;
 * tests read them under plain Node): a view's address lives in the URL's
 * fragment, path and query both — `#/jobs?status=failed&q=acme`.
 */
export interface HashAddress {
  /** Always starts with `/`. Percent-encoded as in the address. */
  path: string;
  /** Without the `?`; still percent-encoded. */
  search: string;
}

/** Splits a fragment (with or without its `#`) into path and query. */
export function parseHash(hash: string): HashAddress {
  const raw = hash.replace(/^#/, '');
  const q = raw.indexOf('?');
  const path = `/${(q < 0 ? raw : raw.slice(0, q)).replace(/^\/+/, '')}`;
  return { path, search: q < 0 ? '' : raw.slice(q + 1) };
}

/** The fragment for a path with an optional query: `#/jobs?status=failed`. */
export function formatHash(to: string): string {
  const { path, search } = parseHash(to);
  return `#${path}${search ? `?${search}` : ''}`;
}

/** The fragment without its token: `#/jobs?status=failed&token=x` → `#/jobs?status=failed`, `#token=x` → ``. */
export function hashWithoutToken(hash: string): string {
  const raw = hash.replace(/^#/, '');
  if (/^token=/.test(raw)) return '';
  const q = raw.indexOf('?');
  if (q < 0) return hash;
  const rest = raw
    .slice(q + 1)
    .split('&')
    .filter((pair) => !pair.startsWith('token='))
    .join('&');
  return `#${raw.slice(0, q)}${rest ? `?${rest}` : ''}`;
}

