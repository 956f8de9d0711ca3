/**
 * Jobs and errors as CSV (RFC 4180) and JSON: the columns of the wire spelling, so an
 * export reads like the API, with one time format in both (ISO 8601, UTC) and a
 * job's credential by its label.
 */
import type { JobDto } from '../../shared/jobs';
import type { ErrorRecord } from '../../shared/records';

/** A job as exported: the API's row plus its credential's label (people name credentials, not ids). */
export type ExportJob = JobDto & { credential_label?: string | null };

const COLUMNS: (keyof ExportJob)[] = [
  'job_id', 'job_type', 'status', 'priority', 'gitlab_host', 'entity_id', 'namespace_path', 'entity_name',
  'crawler_id', 'credential_label', 'attempts', 'origin', 'parent_job_id', 'overall_completion', 'stage', 'last_error',
  'created_at', 'started_at', 'finished_at', 'updated_at',
];
/** Every time field of a job and an error (milliseconds in the API), written as ISO 8601 in exports. */
const JOB_TIMES = ['created_at', 'updated_at', 'started_at', 'finished_at', 'lease_expires_at', 'not_before', 'last_progress_at'] as const;
const ERROR_TIMES = ['at', 'last_at'] as const;
const TIME_COLUMNS: ReadonlySet<string> = new Set(JOB_TIMES);
const ERROR_TIME_COLUMNS: ReadonlySet<string> = new Set(ERROR_TIMES);

/** Milliseconds since the epoch as ISO 8601 (UTC); null and absent stay so. */
const isoTime = (v: unknown): unknown => (typeof v === 'number' && Number.isFinite(v) ? new Date(v).toISOString() : v);

function withIsoTimes(row: object, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...row };
  for (const f of fields) if (f in out) out[f] = isoTime(out[f]);
  return out;
}

/** A job as one JSON export row: times as ISO 8601, like the CSV. */
export const jobJsonRow = (job: ExportJob): Record<string, unknown> => withIsoTimes(job, JOB_TIMES);
/** An error as one JSON export row: times as ISO 8601, like the CSV. */
export const errorJsonRow = (error: ErrorRecord): Record<string, unknown> => withIsoTimes(error, ERROR_TIMES);

const FORMULA_START = /^(?:[\t\r\n]|[\s\u00a0\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20])/;

function cell(v: unknown, time: boolean): string {
  if (v === null || v === undefined) return '';
  const s = time ? String(isoTime(v)) : typeof v === 'object' ? JSON.stringify(v) : String(v);
  // Quote when needed; text a spreadsheet could run as a formula gets a leading ' (OWASP's CSV
  // injection rule): a leading =, +, -, @ (or their full-width forms), also behind leading
  // whitespace, and a leading tab or carriage return, which some spreadsheets strip before parsing.
  const safe = typeof v === 'string' && FORMULA_START.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const jobsToCsv = (jobs: readonly ExportJob[]): string => jobsCsvHeader() + jobsCsvLines(jobs);

const ERROR_COLUMNS: (keyof ErrorRecord & string)[] = ['id', 'at', 'category', 'severity', 'code', 'message', 'crawler_id', 'job_id', 'context'];
export const errorsToCsv = (errors: readonly ErrorRecord[]): string => errorsCsvHeader() + errorsCsvLines(errors);

/** The same CSV as a header and row lines, for exports written a page at a time. */
export const jobsCsvHeader = (): string => `${COLUMNS.join(',')}\r\n`;
export const jobsCsvLines = (jobs: readonly ExportJob[]): string => csvLines(jobs, COLUMNS, TIME_COLUMNS);
export const errorsCsvHeader = (): string => `${ERROR_COLUMNS.join(',')}\r\n`;
export const errorsCsvLines = (errors: readonly ErrorRecord[]): string => csvLines(errors, ERROR_COLUMNS, ERROR_TIME_COLUMNS);

function csvLines<T>(rows: readonly T[], columns: readonly (keyof T & string)[], timeColumns: ReadonlySet<string>): string {
  let out = '';
  for (const r of rows) out += `${columns.map((c) => cell(r[c], timeColumns.has(c))).join(',')}\r\n`;
  return out;
}
