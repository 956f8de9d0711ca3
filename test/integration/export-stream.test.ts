/**
 * Streamed exports over HTTP (issue 14): a one-time download address from the
 * token-checked POST, the file from the GET, page by page; the same rows in
 * the same order as the whole-file command; a client that leaves mid-way costs
 * the server nothing.
 */
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHeadless, type Headless } from '../../src/main/headless/serve';
import { silentLogger } from '../../src/main/observability/logger';
import { EXPORT_PAGE_ROWS } from '../../src/main/core/export-stream';
import { Peer, tempDir } from '../helpers/peer';

const TOKEN = 'export-stream-test-token-0123456789';
const JOBS = EXPORT_PAGE_ROWS * 2 + 345; // more than one page, and a partial last one
let tmp: { dir: string; cleanup: () => void };
let console_: Headless;
let peer: Peer;

const post = (route: string, body: unknown, token: string | null = TOKEN) =>
  fetch(`${console_.baseUrl}api/${route}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token !== null && { Authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });

async function download(body: unknown, kind: 'jobs' | 'errors' = 'jobs'): Promise<{ status: number; text: string; disposition: string | null; type: string | null }> {
  const ticket = await post(`export/${kind}`, body);
  expect(ticket.status).toBe(200);
  const { url } = (await ticket.json()) as { url: string };
  expect(url).toMatch(/^api\/download\/[\w-]{43}$/);
  const res = await fetch(`${console_.baseUrl}${url}`);
  return { status: res.status, text: await res.text(), disposition: res.headers.get('content-disposition'), type: res.headers.get('content-type') };
}

beforeAll(async () => {
  tmp = tempDir('cc-export-');
  console_ = await startHeadless({
    dataDir: path.join(tmp.dir, 'data'),
    socketPath: path.join(tmp.dir, 'console.sock'),
    httpPort: 0,
    token: TOKEN,
    staticDir: null,
    logger: silentLogger,
    env: {},
  });
  peer = await Peer.connect(console_.socketPath);
  const ts = new Date().toISOString();
  for (let start = 0; start < JOBS; start += 1000) {
    const items = Array.from({ length: Math.min(1000, JOBS - start) }, (_, k) => ({
      job_type: 'crawl_project',
      entity_id: String(start + k),
      namespace_path: `group/${start + k}`,
      // quotes, commas and newlines: CSV quoting must hold across pages
      entity_name: (start + k) % 7 === 0 ? `"name", with\r\nbreak ${start + k}` : `Project ${start + k}`,
      priority: (start + k) % 3,
    }));
    peer.send({ type: 'jobs_discovered', timestamp: ts, job_id: 'discovery-1', data: { discovered_jobs: items } });
  }
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = (await (await post('listJobs', { limit: 1 })).json()) as { total: number };
    if (r.total >= JOBS + 1 || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}, 30_000);

afterAll(async () => {
  peer?.destroy();
  await console_?.stop();
  tmp?.cleanup();
});

describe('streamed exports over HTTP', () => {
  it('CSV: the same file as the exportJobs command, as an attachment', async () => {
    const filter = { sort: 'priority', dir: 'asc' };
    const streamed = await download({ format: 'csv', filter });
    expect(streamed.status).toBe(200);
    expect(streamed.type).toBe('text/csv; charset=utf-8');
    expect(streamed.disposition).toMatch(/^attachment; filename="jobs-.*\.csv"$/);
    const whole = (await (await post('exportJobs', { format: 'csv', filter })).json()) as { content: string; count: number };
    expect(whole.count).toBe(JOBS + 1); // the discovery job, adopted, and its children
    expect(streamed.text).toBe(whole.content);
    expect(streamed.text.startsWith('job_id,job_type,status')).toBe(true);
  });

  it('JSON: every job once, in the list order', async () => {
    const filter = { job_type: ['crawl_project'], sort: 'namespace_path', dir: 'desc' };
    const { text } = await download({ format: 'json', filter });
    const rows = JSON.parse(text) as { job_id: string }[];
    expect(rows).toHaveLength(JOBS);
    const listed: string[] = [];
    for (let offset = 0; offset < JOBS; offset += 1000) {
      const page = (await (await post('listJobs', { ...filter, limit: 1000, offset })).json()) as { jobs: { job_id: string }[] };
      listed.push(...page.jobs.map((j) => j.job_id));
    }
    expect(rows.map((r) => r.job_id)).toEqual(listed);
  });

  it('one time format in CSV and JSON (ISO 8601, UTC), and the credential by its label', async () => {
    const filter = { job_type: ['crawl_project'], sort: 'namespace_path', dir: 'asc' };
    const csv = (await download({ format: 'csv', filter })).text;
    const json = JSON.parse((await download({ format: 'json', filter })).text) as Record<string, unknown>[];
    const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
    for (const column of ['created_at', 'updated_at']) {
      expect(json.every((r) => typeof r[column] === 'string' && ISO.test(r[column] as string))).toBe(true);
      // The CSV holds the very same text for the same job.
      expect(csv).toContain(`,${json[0]![column] as string}`);
    }
    // No epoch milliseconds anywhere in either file.
    expect(csv).not.toMatch(/(^|,)1\d{12}(,|\r)/m);
    expect(JSON.stringify(json)).not.toMatch(/:1\d{12}[,}]/);
    expect(json.every((r) => r.finished_at === null || ISO.test(r.finished_at as string))).toBe(true);
    // A job's credential by its label (CSV and JSON); jobs without one read empty / null, never an id.
    expect((await post('updateConfig', { jobQueueSize: 100_000 })).status).toBe(200); // this store's queue is full of adopted jobs
    const madeRes = await post('createJob', { job_type: 'crawl_group', gitlab_host: 'gitlab.example.com', entity_id: 'export/labelled', access_token: 'glpat-export-label-0001', credential_label: 'export bot' });
    const made = (await madeRes.json()) as { job: { job_id: string; credential_id: string } };
    const labelled = { job_type: ['crawl_group'], text: 'export/labelled' };
    const row = (JSON.parse((await download({ format: 'json', filter: labelled })).text) as Record<string, unknown>[]).find((r) => r.job_id === made.job.job_id);
    expect(row).toMatchObject({ credential_id: made.job.credential_id, credential_label: 'export bot' });
    const labelledCsv = (await download({ format: 'csv', filter: labelled })).text;
    expect(labelledCsv).toContain(',export bot,');
    expect(labelledCsv).not.toContain(made.job.credential_id);
    expect(json[0]).toHaveProperty('credential_label', null);
    peer.write('{not json\n');
    await peer.nextOfType('error');
    const errors = JSON.parse((await download({ format: 'json' }, 'errors')).text) as { at: unknown }[];
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => typeof e.at === 'string' && ISO.test(e.at))).toBe(true);
  });

  it('an empty export is a header (CSV) or [] (JSON)', async () => {
    expect((await download({ format: 'csv', filter: { status: ['failed'] } })).text).toBe(
      'job_id,job_type,status,priority,gitlab_host,entity_id,namespace_path,entity_name,crawler_id,credential_label,attempts,origin,parent_job_id,overall_completion,stage,last_error,created_at,started_at,finished_at,updated_at\r\n',
    );
    expect(JSON.parse((await download({ format: 'json', filter: { status: ['failed'] } })).text)).toEqual([]);
  });

  it('a download address works once; asking needs the token; a bad filter is refused when asking', async () => {
    const { url } = (await (await post('export/errors', { format: 'csv' })).json()) as { url: string };
    expect((await fetch(`${console_.baseUrl}${url}`)).status).toBe(200);
    expect((await fetch(`${console_.baseUrl}${url}`)).status).toBe(404);
    expect((await fetch(`${console_.baseUrl}api/download/made-up`)).status).toBe(404);
    expect((await post('export/jobs', { format: 'csv' }, null)).status).toBe(401);
    expect((await post('export/jobs', { format: 'xml' })).status).toBe(400);
    expect((await post('export/jobs', { format: 'csv', filter: { status: ['nope'] } })).status).toBe(400);
    expect((await post('export/secrets', { format: 'csv' })).status).toBe(404);
  });

  it('a client that leaves mid-download stops the export; the console keeps serving', async () => {
    const { url } = (await (await post('export/jobs', { format: 'csv' })).json()) as { url: string };
    await new Promise<void>((resolve, reject) => {
      const req = http.get(`${console_.baseUrl}${url}`, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (e) => (req.destroyed ? resolve() : reject(e)));
    });
    const r = (await (await post('listJobs', { limit: 5 })).json()) as { jobs: unknown[] };
    expect(r.jobs).toHaveLength(5);
  });
});
