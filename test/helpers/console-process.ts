/**
 * A console core in a child process (for crash tests): started with fork(),
 * it answers `{ id, command, input }` messages with `{ id, ok, value | error }`
 * and forwards every job_changed event, so the test knows what the console had
 * committed before it was killed.
 */
import { startConsoleCore } from '../../src/main/core/console-core';
import { dispatchCommand } from '../../src/main/core/dispatch';
import { ApiError } from '../../src/shared/contract';

const [dataDir, socketPath, heartbeatTimeout] = process.argv.slice(2);
const core = await startConsoleCore({
  dataDir: dataDir!,
  config: { socketPath: socketPath!, heartbeatInterval: 100, heartbeatTimeout: Number(heartbeatTimeout ?? 2000), healthCheckInterval: 100, maxConcurrentJobs: 2 },
});
core.events.on('event', (e) => {
  if (e.type === 'job_changed') process.send!({ event: { job_id: e.job.job_id, status: e.job.status, crawler_id: e.job.crawler_id } });
});
process.on('message', (m: { id: number; command: string; input: unknown }) => {
  dispatchCommand(core, m.command, m.input).then(
    (value) => process.send!({ id: m.id, ok: true, value }),
    (err: unknown) => process.send!({ id: m.id, ok: false, error: err instanceof ApiError ? err.toJSON() : String(err) }),
  );
});
process.on('SIGTERM', () => void core.stop().then(() => process.exit(0)));
process.send!({ ready: core.socketPath });
