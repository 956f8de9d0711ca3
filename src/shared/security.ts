/**
 * The page's Content-Security-Policy, one string for every door: the headless
 * console's header, the desktop window's header and the page's meta tag (checked
 * by a test). The page runs only its own bundled script (no inline script, no
 * eval), talks only to its own origin, and can be framed by nobody.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
