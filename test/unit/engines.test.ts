/**
 * First run is quiet (issue 13): the Node the README names satisfies every
 * package's `engines`, so `npm ci` and `npx crawl-console` print no EBADENGINE
 * warning; package.json, its lock file and the README say the same version.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const semver = createRequire(import.meta.url)('semver') as { minVersion(range: string): { version: string } | null; satisfies(v: string, range: string): boolean };
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: { node?: string } | string[] }> };

describe('engines', () => {
  const minimum = semver.minVersion(pkg.engines.node)!.version;

  it('the lowest Node package.json allows satisfies every locked package', () => {
    const unmet = Object.entries(lock.packages)
      .map(([name, p]) => [name || '(root)', !Array.isArray(p.engines) ? p.engines?.node : undefined] as const)
      .filter((e): e is readonly [string, string] => typeof e[1] === 'string' && !semver.satisfies(minimum, e[1]));
    expect(unmet).toEqual([]);
    expect(lock.packages['']!.engines).toEqual(pkg.engines);
  });

  it('the README names that Node version', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const [major, minor] = minimum.split('.');
    expect(readme).toContain(`Node.js ${major}.${minor} or newer`);
  });
});
