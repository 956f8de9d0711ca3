// A benchmark crawler process: connects to a socket, sends `count` messages of
// a realistic mix (job_started, job_progress, heartbeat, job_completed) in the
// given spelling and framing, then a job_request, and reports when its
// job_response arrives (messages are handled in order, so by then everything
// before it was handled). Framing: 'delimited' ends each message with '\n';
// 'unterminated' writes bare JSON objects back to back, as the crawler in the wild does.
import net from 'node:net';

const [socketPath, countArg, spelling, clientId, framing = 'delimited'] = process.argv.slice(2);
const count = Number(countArg);
const JOBS = 20;
const jobIds = Array.from({ length: JOBS }, (_, i) => `bench-${clientId}-${i}`);
const ts = new Date().toISOString();
const crawler = spelling === 'crawler';
const jid = (id) => (crawler ? { jobId: id } : { job_id: id });
const ENTITIES = ['issue', 'merge_request', 'commit', 'pipeline', 'branch'];

const line = framing === 'unterminated' ? (m) => JSON.stringify(m) : (m) => JSON.stringify(m) + '\n';
const started = (id) => line({ type: 'job_started', timestamp: ts, ...jid(id), data: crawler ? { entityType: 'project', entityId: id } : { job_type: 'crawl_project', entity_id: id } });
const progress = (id, n) => {
  const entity = ENTITIES[n % ENTITIES.length];
  return line(
    crawler
      ? { type: 'job_progress', timestamp: ts, jobId: id, data: { stage: 'fetching', entityType: entity, processed: n, total: n + 1000, message: `page ${n % 50}`, resumeState: { currentPage: n % 50, lastEntityId: String(n) }, processingRate: 25.5 } }
      : { type: 'job_progress', timestamp: ts, job_id: id, data: { progress: [{ entity_type: entity, total_discovered: n + 1000, total_processed: n, current_page: n % 50, items_per_page: 100 }], overall_completion: n / (n + 1000), time_elapsed: n * 10 } },
  );
};
const heartbeat = () =>
  line(crawler ? { type: 'heartbeat', timestamp: ts, data: { activeJobs: JOBS, totalProcessed: 1, systemStatus: 'processing' } } : { type: 'heartbeat', timestamp: ts, data: { active_jobs: JOBS, last_activity: ts, system_status: 'crawling' } });
const completed = (id) => line({ type: 'job_completed', timestamp: ts, ...jid(id), data: crawler ? { success: true, finalCounts: { issue: 10 } } : { success: true, final_counts: { issue: 10 } } });

// A block of 1,000 pre-encoded lines, written repeatedly: the client must not be the bottleneck.
const BLOCK = 1000;
const blockLines = [];
for (let i = 0; i < BLOCK; i++) blockLines.push(i % 100 === 99 ? heartbeat() : progress(jobIds[i % JOBS], i));
const block = Buffer.from(blockLines.join(''));

const socket = net.connect({ path: socketPath });
socket.setNoDelay?.(true);
let buffered = '';
socket.on('data', (chunk) => {
  buffered += chunk.toString();
  if (buffered.includes('"job_response"')) {
    process.send?.({ done: true });
    socket.end();
  }
});
socket.on('error', (err) => {
  process.send?.({ error: err.message });
  process.exit(1);
});

function write(data) {
  return socket.write(data) ? Promise.resolve() : new Promise((r) => socket.once('drain', r));
}

socket.on('connect', async () => {
  process.send?.({ connected: true });
  await new Promise((r) => process.once('message', r)); // start together
  await write(jobIds.map(started).join(''));
  let sent = JOBS;
  const body = count - 2 * JOBS - 1;
  while (sent + BLOCK <= JOBS + body) {
    await write(block);
    sent += BLOCK;
  }
  const rest = JOBS + body - sent;
  if (rest > 0) await write(blockLines.slice(0, rest).join(''));
  await write(jobIds.map(completed).join('') + line({ type: 'job_request', timestamp: ts, data: { max_jobs: 1 } }));
});
