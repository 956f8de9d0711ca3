// Type-checks every layer with its own tsconfig: each layer sees only the
// globals and types its runtime has (no Node in the renderer, no DOM in the core).
// The seed's API examples are checked too, as a user writes them (tsconfig.seed-examples.json).
import { spawnSync } from 'node:child_process';

const layers = ['tsconfig.shared.json', 'tsconfig.node.json', 'tsconfig.electron.json', 'tsconfig.web.json', 'tsconfig.seed-examples.json'];
let failed = false;
for (const project of layers) {
  const r = spawnSync('tsc', ['--noEmit', '-p', project], { stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) { console.error(`typecheck failed: ${project}`); failed = true; }
}
process.exit(failed ? 1 : 0);
