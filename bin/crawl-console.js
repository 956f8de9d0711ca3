#!/usr/bin/env node
// The `crawl-console` command: runs the built command line (out/main/cli.js),
// building it first when this checkout has not been built yet.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(import.meta.dirname, '..');
const cli = path.join(root, 'out', 'main', 'cli.js');

if (!fs.existsSync(cli)) {
  process.stderr.write('crawl-console: not built yet; running `npm run build` first…\n');
  const built = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 2, 2], shell: process.platform === 'win32' });
  if (built.status !== 0 || !fs.existsSync(cli)) {
    process.stderr.write('crawl-console: the build failed; run `npm run build` in ' + root + ' and try again.\n');
    process.exit(1);
  }
}

const { run } = await import(pathToFileURL(cli).href);
await run(process.argv.slice(2));
