/**
 * Who may use the headless console's API: whoever holds the token (printed once
 * at start) and calls from the console's own page, never another site's page.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import type { IncomingMessage } from 'node:http';

/** A fresh token: 32 random bytes, base64url (URL-safe, so it can sit in `#token=`). */
export const generateToken = (): string => randomBytes(32).toString('base64url');

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time comparison: hashing first makes both sides the same length whatever was sent. */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  return timingSafeEqual(digest(expected), digest(given));
}

/** The token of an `Authorization: Bearer …` header, or null. */
export function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
const WILDCARD = new Set(['0.0.0.0', '::', '[::]']);

export const isLoopbackHost = (host: string): boolean => LOOPBACK_NAMES.has(host.toLowerCase()) || host.startsWith('127.');
export const isWildcardHost = (host: string): boolean => WILDCARD.has(host);

/** `host` as it appears in a URL authority (IPv6 in brackets). */
export const urlHost = (host: string): string => (net.isIPv6(host) ? `[${host}]` : host);

/** The origins the console's own page has when opened at the address it listens on. */
export function ownOrigins(host: string, port: number): Set<string> {
  const names = isLoopbackHost(host) || isWildcardHost(host) ? ['localhost', '127.0.0.1', '[::1]'] : [];
  if (!isWildcardHost(host)) names.push(urlHost(host).toLowerCase());
  return new Set(names.map((n) => `http://${n}:${port}`));
}

/**
 * Whether a request's `Origin` (if any) is the console's own. Besides the
 * listening address, the origin a browser derives from the `Host` it was given
 * is accepted when that host cannot be re-pointed by DNS (a loopback name or an
 * IP literal): that is how an SSH tunnel on another local port, or a server
 * bound to 0.0.0.0, is reached — while a DNS-rebinding page, whose Host is its
 * own domain name, is still refused.
 */
export function originAllowed(req: IncomingMessage, own: ReadonlySet<string>): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true; // not a browser page's cross-context request (curl, same-origin GET)
  const normalized = origin.toLowerCase();
  if (own.has(normalized)) return true;
  const hostHeader = req.headers.host?.toLowerCase();
  if (!hostHeader || normalized !== `http://${hostHeader}`) return false;
  let hostname: string;
  try {
    hostname = new URL(`http://${hostHeader}`).hostname;
  } catch {
    return false;
  }
  const bare = hostname.replace(/^\[|\]$/g, '');
  return isLoopbackHost(hostname) || net.isIP(bare) !== 0;
}
