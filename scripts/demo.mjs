// `npm run demo`: a headless console and simulated crawlers against it, so a new
// user sees a live crawl within seconds, and keeps seeing one for as long as the
// demo runs. Builds first, starts `crawl-console serve` on a fresh data directory,
// creates a discovery job (which fans out into project, group and user crawls)
// and another one for the next made-up organisation every ORG_EVERY_MS, starts
// three simulated crawlers (one per framing: delimited, unterminated like the
// GitLab crawler in the wild, and alternating) that rejoin after a broadcast
// shutdown, and prints the URL. Ctrl+C stops both.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'bin', 'crawl-console.js');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crawl-console-demo-'));
const socketPath = path.join(dataDir, 'console.sock');
const port = process.env.DEMO_HTTP_PORT ?? '7420';

const built = spawnSync('npx', ['electron-vite', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
if (built.status !== 0) {
  console.error('demo: the build failed (see above).');
  process.exit(1);
}

const serve = spawn(process.execPath, [bin, 'serve', '--data-dir', dataDir, '--socket', socketPath, '--http-port', port], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve, reject) => {
  let out = '';
  serve.stdout.on('data', (chunk) => {
    out += chunk;
    const m = /Open:\s+(\S+)/.exec(out);
    if (m) resolve(m[1]);
  });
  serve.once('exit', (code) => reject(new Error(`the console exited (${code}); is port ${port} free? set DEMO_HTTP_PORT`)));
}).catch((err) => {
  console.error(`demo: ${err.message}`);
  process.exit(1);
});

const { origin, hash } = new URL(url);
const token = new URLSearchParams(hash.slice(1)).get('token');
const post = (command, input) =>
  fetch(`${origin}/api/${command}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(input) }).then((r) => r.json());
// The simulator's made-up organisations, in turn; after the last, the first again (a repeated crawl).
const ORGS = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark', 'wayne', 'tyrell', 'cyberdyne', 'soylent'];
const ORG_EVERY_MS = 30_000;
let nextOrg = 0;
const discover = () =>
  post('createJob', { job_type: 'discover_namespaces', gitlab_host: 'gitlab.example.com', access_token: 'glpat-demo-token-not-real', namespace_path: ORGS[nextOrg++ % ORGS.length], priority: 5 }).catch(
    (err) => console.error(`demo: could not create a discovery job: ${err.message}`),
  );
await discover();
const discoverTimer = setInterval(discover, ORG_EVERY_MS);

const simulate = spawn(
  process.execPath,
  [bin, 'simulate', '--socket', socketPath, '--crawlers', '3', '--framing', 'mixed', '--rejoin', '--speed', '2', '--seed', 'demo', '--quiet'],
  { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] },
);

console.log(`
Crawl Console demo
  Open:    ${url}
  Socket:  ${socketPath}
  Three simulated crawlers are discovering and crawling made-up GitLab groups ("acme", then
  another every ${ORG_EVERY_MS / 1000} s). They end their messages three ways: with a newline, with no
  delimiter at all (like the GitLab crawler in the wild), and alternating. After a broadcast
  shutdown they come back a few seconds later.
  Press Ctrl+C to stop.`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  clearInterval(discoverTimer);
  simulate.kill('SIGTERM');
  serve.kill('SIGTERM');
  serve.once('exit', () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
serve.once('exit', () => {
  if (!stopping) {
    console.error('demo: the console stopped.');
    clearInterval(discoverTimer);
    simulate.kill('SIGTERM');
    process.exit(1);
  }
});
