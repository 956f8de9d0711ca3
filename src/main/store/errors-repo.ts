/** The error log: what went wrong, where, how badly. Context is redacted before it is written. */
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { ListErrorsQuerySchema as ContractListErrorsQuerySchema } from '../../shared/contract/commands';
import { ErrorRecordSchema, rowDecoder, toJson, type ErrorRecord } from './records';
import { redactSecrets, scrubSecretText } from './redact';
import { parseInput } from './validate';

export type ErrorInput = Pick<ErrorRecord, 'category' | 'severity' | 'message'> &
  Partial<Pick<ErrorRecord, 'code' | 'context' | 'crawler_id' | 'job_id' | 'at' | 'count' | 'last_at'>>;

/** The contract's error query (one definition for API and store), plus an upper time bound for callers inside the core. */
export const ListErrorsQuerySchema = ContractListErrorsQuerySchema.extend({
  /** Errors before this time (epoch ms). */
  until: z.number().optional(),
});
export type ListErrorsQuery = z.input<typeof ListErrorsQuerySchema>;

const decode = rowDecoder(ErrorRecordSchema, ['context']);

export class ErrorsRepo {
  private readonly insertStmt: Database.Statement;
  private readonly bumpStmt: Database.Statement;

  /** Records many errors in one transaction (a burst of bad messages is one write). */
  readonly recordErrors: (inputs: readonly ErrorInput[]) => number;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
  ) {
    this.insertStmt = db.prepare(`
      INSERT INTO errors (at, category, severity, code, message, context, crawler_id, job_id, count, last_at)
      VALUES (@at, @category, @severity, @code, @message, @context, @crawler_id, @job_id, @count, @last_at)
      RETURNING *`);
    this.bumpStmt = db.prepare('UPDATE errors SET count = count + @n, last_at = max(coalesce(last_at, at), @at) WHERE id = @id RETURNING *');
    this.recordErrors = db.transaction((inputs: readonly ErrorInput[]) => {
      for (const e of inputs) this.insertStmt.run(this.params(e));
      return inputs.length;
    });
  }

  recordError(input: ErrorInput): ErrorRecord {
    return decode(this.insertStmt.get(this.params(input)));
  }

  /** Adds `n` more occurrences (the latest at `at`) to an aggregated row; null if it is gone (retention). */
  bumpError(id: number, n: number, at: number): ErrorRecord | null {
    const row = this.bumpStmt.get({ id, n, at });
    return row === undefined ? null : decode(row);
  }

  /** Newest first, with the number matching the filter. */
  listErrors(query: ListErrorsQuery = {}): { errors: ErrorRecord[]; total: number } {
    const q = parseInput(ListErrorsQuerySchema, query, 'error query');
    const { where, params } = filterClause(q);
    const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM errors ${whereSql}`).get(...params) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT * FROM errors ${whereSql} ORDER BY at DESC, id DESC LIMIT ? OFFSET ?`)
      .all(...params, q.limit, q.offset);
    return { errors: rows.map(decode), total };
  }

  /**
   * Newest first, the page after `after` (the last row of the page before):
   * keyset paging on (at, id), the errors_at index, for exports of any size.
   */
  errorsAfter(query: Omit<ListErrorsQuery, 'limit' | 'offset'>, after: { at: number; id: number } | null, limit: number): ErrorRecord[] {
    const q = parseInput(ListErrorsQuerySchema, query, 'error query');
    const { where, params } = filterClause(q);
    if (after !== null) {
      where.push('(at, id) < (?, ?)');
      params.push(after.at, after.id);
    }
    const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
    return this.db.prepare(`SELECT * FROM errors ${whereSql} ORDER BY at DESC, id DESC LIMIT ?`).all(...params, limit).map(decode);
  }

  private params(e: ErrorInput) {
    return {
      at: e.at ?? this.now(),
      category: e.category,
      severity: e.severity,
      code: e.code ?? null,
      message: scrubSecretText(e.message),
      context: toJson(e.context == null ? null : redactSecrets(e.context)),
      crawler_id: e.crawler_id ?? null,
      job_id: e.job_id ?? null,
      count: Math.max(1, Math.trunc(e.count ?? 1)),
      last_at: e.last_at ?? null,
    };
  }
}

/** The WHERE terms of an error query (the list, the export's keyset pages and a bulk action's errors scope share them). */
export function filterClause(q: { category?: string | undefined; severity?: string | undefined; crawler_id?: string | undefined; job_id?: string | undefined; since?: number | undefined; until?: number | undefined }): {
  where: string[];
  params: unknown[];
} {
  const where: string[] = [];
  const params: unknown[] = [];
  const eq = (column: string, value: string | number | undefined, op = '=') => {
    if (value === undefined) return;
    where.push(`${column} ${op} ?`);
    params.push(value);
  };
  eq('category', q.category);
  eq('severity', q.severity);
  eq('crawler_id', q.crawler_id);
  eq('job_id', q.job_id);
  eq('at', q.since, '>=');
  eq('at', q.until, '<');
  return { where, params };
}
