/** Resolving a URL path to a file of the built renderer, for both front doors (HTTP and app://). */
import fs from 'node:fs';
import path from 'node:path';

/**
 * The file under `root` that `urlPath` names, or null when it names nothing
 * servable (outside the root, a directory, missing, or malformed).
 */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const relative = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const resolvedRoot = path.resolve(root);
  const file = path.resolve(resolvedRoot, relative);
  // `..` segments, absolute paths and encoded separators all end up here if they escape.
  if (file !== resolvedRoot && !file.startsWith(resolvedRoot + path.sep)) return null;
  try {
    // Symlinks inside the root must not lead out of it either.
    const real = fs.realpathSync(file);
    const realRoot = fs.realpathSync(resolvedRoot);
    if (!real.startsWith(realRoot + path.sep)) return null;
    return fs.statSync(real).isFile() ? real : null;
  } catch {
    return null;
  }
}
