/**
 * Exports as streams: a page of rows at a time, read by keyset cursor (each
 * page costs the same however deep), so a million-row export starts at once and
 * holds one page in memory, never the whole list or the whole file.
 */
import { ApiError, type CommandParsedInput, commands } from '../../shared/contract';
import type { ListJobsQuery } from '../../shared/jobs';
import { type ListErrorsQuery, type Store, toJobDto } from '../store';
import { type ExportJob, errorJsonRow, errorsCsvHeader, errorsCsvLines, jobJsonRow, jobsCsvHeader, jobsCsvLines } from './export';

export type ExportFormat = 'csv' | 'json';
export type JobsExportFilter = Omit<ListJobsQuery, 'limit' | 'offset' | 'after'>;
export type ErrorsExportFilter = Omit<ListErrorsQuery, 'limit' | 'offset'>;

export interface ExportStream {
  filename: string;
  content_type: string;
  /** The file, in chunks of one page each. */
  chunks: AsyncIterable<string>;
  /** Rows written so far (all of them once `chunks` is done). */
  readonly written: { rows: number };
}

/** Validates an export request from a front door (`kind` jobs or errors, the command's input) and opens its stream. */
export function openExport(
  exports: { jobs(input: CommandParsedInput<'exportJobs'>): ExportStream; errors(input: CommandParsedInput<'exportErrors'>): ExportStream },
  kind: unknown,
  input: unknown,
): ExportStream {
  const issues = (e: { issues: { path: PropertyKey[]; message: string }[] }) =>
    new ApiError('invalid_input', e.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '));
  if (kind === 'jobs') {
    const r = commands.exportJobs.input.safeParse(input ?? {});
    if (!r.success) throw issues(r.error);
    return exports.jobs(r.data);
  }
  if (kind === 'errors') {
    const r = commands.exportErrors.input.safeParse(input ?? {});
    if (!r.success) throw issues(r.error);
    return exports.errors(r.data);
  }
  throw new ApiError('not_found', `There is no export of ${String(kind)}; use jobs or errors.`);
}

/** Rows per page: ~300 KB of CSV, one quick query, and a yield to the event loop between pages. */
export const EXPORT_PAGE_ROWS = 1000;

const fileStamp = (): string => new Date().toISOString().replace(/[:.]/g, '-');
const contentType = (format: ExportFormat): string => (format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8');
/** Lets sockets, timers and other requests run between two pages. */
const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function* framed<T>(
  format: ExportFormat,
  header: string,
  pages: AsyncIterable<T[]>,
  csv: (rows: T[]) => string,
  json: (row: T) => unknown,
  written: { rows: number },
): AsyncGenerator<string> {
  let first = true;
  yield format === 'csv' ? header : '[';
  for await (const rows of pages) {
    if (rows.length === 0) continue;
    written.rows += rows.length;
    if (format === 'csv') yield csv(rows);
    else {
      const body = rows.map((r) => JSON.stringify(json(r))).join(',\n');
      yield first ? `\n${body}` : `,\n${body}`;
      first = false;
    }
  }
  if (format === 'json') yield first ? ']\n' : '\n]\n';
}

/** `beforeEach` runs before each page (the callers flush buffered progress there, so the export is current). */
export function exportJobsStream(store: Store, format: ExportFormat, filter: JobsExportFilter, beforeEach: () => void = () => undefined): ExportStream {
  // A handful of credentials: their labels are read once per export.
  const labels = new Map(store.credentials.listCredentials().map((c) => [c.id, c.label]));
  async function* pages(): AsyncGenerator<ExportJob[]> {
    let after: string | undefined;
    for (;;) {
      beforeEach();
      const page = store.jobs.listJobs({ ...filter, limit: EXPORT_PAGE_ROWS, ...(after !== undefined && { after }) });
      yield page.jobs.map((j) => {
        const dto = toJobDto(j);
        return { ...dto, credential_label: dto.credential_id === null ? null : (labels.get(dto.credential_id) ?? null) };
      });
      if (page.next_cursor === null) return;
      after = page.next_cursor;
      await yieldToLoop();
    }
  }
  const written = { rows: 0 };
  const chunks = framed(format, jobsCsvHeader(), pages(), jobsCsvLines, jobJsonRow, written);
  return { filename: `jobs-${fileStamp()}.${format}`, content_type: contentType(format), chunks, written };
}

export function exportErrorsStream(store: Store, format: ExportFormat, filter: ErrorsExportFilter, beforeEach: () => void = () => undefined): ExportStream {
  async function* pages() {
    let after: { at: number; id: number } | null = null;
    for (;;) {
      beforeEach();
      const rows = store.errors.errorsAfter(filter, after, EXPORT_PAGE_ROWS);
      yield rows;
      const last = rows.at(-1);
      if (rows.length < EXPORT_PAGE_ROWS || last === undefined) return;
      after = { at: last.at, id: last.id };
      await yieldToLoop();
    }
  }
  const written = { rows: 0 };
  const chunks = framed(format, errorsCsvHeader(), pages(), errorsCsvLines, errorJsonRow, written);
  return { filename: `errors-${fileStamp()}.${format}`, content_type: contentType(format), chunks, written };
}
