/**
 * A token goes to the crawler that needs it and nowhere else: after a run that
 * saves tokens, hands them out, refreshes them and provokes errors around them,
 * neither the database files nor the debug log contain the plaintext.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startConsoleCore } from '../../src/main/core/console-core';
import { dispatchCommand } from '../../src/main/core/dispatch';
import { createLogger } from '../../src/main/observability/logger';
import type { ConsoleEvent } from '../../src/shared/contract';
import { Peer, tempDir } from '../helpers/peer';

const TOKEN = 'glpat-TOPSECRET-xyz-0123456789';
const TOKEN2 = 'glpat-ANOTHERSECRET-987654321';
let tmp: ReturnType<typeof tempDir>;
afterEach(() => {
  if (!process.env.KEEP_TMP) tmp?.cleanup();
});

function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  for (const name of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const file = path.join(dir, name);
    if (fs.statSync(file).isFile() && fs.readFileSync(file).includes(needle)) hits.push(name);
  }
  return hits;
}

it('never writes a plaintext token to the database, its WAL, the log or an event', async () => {
  tmp = tempDir('cc-secret-');
  const logFile = path.join(tmp.dir, 'logs', 'console.log');
  const logger = createLogger({ level: 'debug', destination: logFile });
  const core = await startConsoleCore({ dataDir: tmp.dir, config: { socketPath: path.join(tmp.dir, 'c.sock') }, logger });
  const events: ConsoleEvent[] = [];
  core.events.on('event', (e) => events.push(e));
  const call = (name: string, input: unknown) => dispatchCommand(core, name, input, { logger });
  const ts = () => new Date().toISOString();

  const p = await Peer.connect(core.socketPath);
  p.send({ type: 'hello', timestamp: ts(), data: { crawler_id: 'c', max_concurrent_jobs: 3 } });
  await p.nextOfType('welcome');
  const { job } = (await call('createJob', { job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', access_token: TOKEN, entity_id: '1' })) as { job: { job_id: string } };
  const assignment = await p.nextOfType('job_assignment');
  expect((assignment.data as { access_token: string }).access_token).toBe(TOKEN); // the crawler does get it
  p.send({ type: 'job_started', timestamp: ts(), job_id: job.job_id, data: {} });
  p.send({ type: 'token_refresh_request', timestamp: ts(), job_id: job.job_id, data: { error_details: `401 for token ${TOKEN}` } });
  await p.nextOfType('token_refresh_response');
  // A crawler that echoes the token back in errors and progress must not get it stored.
  p.send({ type: 'job_progress', timestamp: ts(), job_id: job.job_id, data: { progress: [{ entity_type: 'issue', total_discovered: 2, total_processed: 1, access_token: TOKEN }], overall_completion: 0.5, time_elapsed: 1 } });
  p.send({ type: 'job_failed', timestamp: ts(), job_id: job.job_id, data: { error: `request with PRIVATE-TOKEN: ${TOKEN} failed`, is_recoverable: false, access_token: TOKEN } });
  p.write(`{"type":"heartbeat","oops":"${TOKEN}"\n`); // bad JSON containing the token
  await p.nextOfType('error');
  await call('saveCredential', { gitlab_host: 'gitlab.other.org', access_token: TOKEN2 });
  await expect(call('createJob', { job_type: 'crawl_project', gitlab_host: 'h', access_token: TOKEN, credential_id: 'x', entity_id: '1' })).rejects.toThrow();
  const listed = JSON.stringify([await call('listJobs', {}), await call('getJob', { job_id: job.job_id }), await call('listCredentials', {}), await call('exportJobs', { format: 'csv' }), await call('exportJobs', { format: 'json' }), await call('listErrors', {}), await call('getStatus', {})]);
  p.destroy();
  await core.stop();
  logger.flush();
  await new Promise((r) => setTimeout(r, 200));

  expect(fs.existsSync(logFile)).toBe(true);
  expect(fs.statSync(logFile).size).toBeGreaterThan(0);
  // The scan itself works: a string that is there is found.
  expect(filesContaining(tmp.dir, 'gitlab.example.com').length).toBeGreaterThan(0);
  expect(filesContaining(tmp.dir, TOKEN)).toEqual([]);
  expect(filesContaining(tmp.dir, TOKEN2)).toEqual([]);
  expect(listed).not.toContain(TOKEN);
  expect(listed).not.toContain(TOKEN2);
  expect(JSON.stringify(events)).not.toContain(TOKEN);
});
