/**
 * Fills a console's store the way a crawler does: `jobs_discovered` messages
 * over its Unix socket (the researchers' crawler, no hello), 1,000 items each.
 */
import net from 'node:net';

export const PER_MESSAGE = 1000;
/** Children per discovery parent (`discovery-0`, `discovery-1`, …). */
export const PER_PARENT = 200_000;

/** Discovery parents `discover(n)` creates besides its n jobs. */
export const parentsFor = (n: number): number => Math.ceil(n / PER_PARENT);

/** Creates the jobs, and waits until every message is handled (a job_request is answered after them). */
export async function discover(socketPath: string, n: number): Promise<void> {
  const socket = net.connect({ path: socketPath });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const write = (m: unknown) =>
    socket.write(`${JSON.stringify(m)}\n`) ? Promise.resolve() : new Promise<void>((r) => socket.once('drain', () => r()));
  const ts = new Date().toISOString();
  for (let start = 0; start < n; start += PER_MESSAGE) {
    const items = Array.from({ length: Math.min(PER_MESSAGE, n - start) }, (_, k) => {
      const i = start + k;
      const type = ['crawl_project', 'crawl_group', 'crawl_user'][i % 3]!;
      return { job_type: type, entity_id: String(i), namespace_path: `group-${i % 997}/sub-${i % 31}/item-${i}`, entity_name: `Item ${i}`, priority: 1 + (i % 3) };
    });
    await write({ type: 'jobs_discovered', timestamp: ts, job_id: `discovery-${Math.floor(start / PER_PARENT)}`, data: { discovered_jobs: items } });
  }
  const answered = new Promise<void>((resolve) => {
    let buf = '';
    socket.on('data', (c: Buffer) => {
      buf += c.toString();
      if (buf.includes('"job_response"')) resolve();
    });
  });
  await write({ type: 'job_request', timestamp: ts, data: { max_jobs: 5 } });
  await answered;
  socket.destroy();
}
