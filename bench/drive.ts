/**
 * The benches' crawlers: `clients` processes (bench/client.mjs), half in each
 * protocol spelling, each sending `count` messages in the given framing once
 * all are connected. Resolves with the seconds from "go" to the last one done;
 * a client that fails rejects.
 */
import { fork } from 'node:child_process';
import path from 'node:path';

export type Framing = 'delimited' | 'unterminated';

export async function drive(socketPath: string, clients: number, count: number, framing: Framing, onTick?: () => void): Promise<{ seconds: number }> {
  const procs = Array.from({ length: clients }, (_, i) =>
    fork(path.resolve(import.meta.dirname, 'client.mjs'), [socketPath, String(count), i % 2 ? 'crawler' : 'documented', String(i), framing], { stdio: 'inherit' }),
  );
  await Promise.all(procs.map((p) => new Promise((r) => p.once('message', r))));
  const ticker = onTick ? setInterval(onTick, 100) : null;
  const start = process.hrtime.bigint();
  for (const p of procs) p.send('go');
  try {
    await Promise.all(
      procs.map(
        (p) =>
          new Promise<void>((resolve, reject) => {
            p.on('message', (m: { done?: boolean; error?: string }) => (m.done ? resolve() : m.error ? reject(new Error(m.error)) : undefined));
          }),
      ),
    );
  } finally {
    if (ticker) clearInterval(ticker);
    for (const p of procs) p.kill();
  }
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}
