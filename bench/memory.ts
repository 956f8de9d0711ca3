/**
 * `npm run bench -- memory`: does the console keep memory between runs? Starts a
 * console core, has the bench's crawler processes send their mix, stops it, and
 * after a full garbage collection prints what the process still holds; again, with
 * a fresh core each time. A leak shows as heapUsed or RSS growing run after run;
 * RSS that rises during a run and not after it is the heap's sizing, not a leak.
 *
 *   npm run bench -- memory [--runs 6] [--messages 50000] (messages per crawler process per run)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import { startConsoleCore } from '../src/main/core/console-core';
import { drive } from './drive';

const { values } = parseArgs({
  args: process.argv.slice(3),
  options: { runs: { type: 'string', default: '6' }, messages: { type: 'string', default: '50000' } },
});
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const CLIENTS = 4;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-memory-'));
const mib = (b: number) => (b / 2 ** 20).toFixed(1);

console.log(`console memory after each run (full GC), ${CLIENTS} crawler processes × ${values.messages} messages a run`);
for (let run = 0; run < Number(values.runs); run++) {
  const core = await startConsoleCore({
    dataDir: path.join(dir, `c${run}`),
    config: { socketPath: path.join(dir, `c${run}.sock`), maxConnections: CLIENTS + 2, maxConcurrentJobs: 100 },
  });
  let peak = 0;
  await drive(core.socketPath, CLIENTS, Number(values.messages), 'delimited', () => (peak = Math.max(peak, process.memoryUsage().rss)));
  await core.stop();
  gc();
  await new Promise((r) => setTimeout(r, 200));
  gc();
  const m = process.memoryUsage();
  console.log(
    `  run ${run + 1}: RSS peak during ${mib(peak)} MiB; after: RSS ${mib(m.rss)} MiB, heapUsed ${mib(m.heapUsed)} MiB, external ${mib(m.external)} MiB`,
  );
}
fs.rmSync(dir, { recursive: true, force: true });
