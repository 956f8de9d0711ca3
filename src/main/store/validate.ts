import type { z } from 'zod';
import { summarizeIssues } from '../../shared/protocol/crawler-messages';
import { DUPLICATE_ENTITY, StoreError } from './errors';

/** Parses a caller's input; a bad one is a StoreError('invalid') naming what was wrong. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new StoreError('invalid', `invalid ${what}: ${summarizeIssues(r.error.issues)}`);
  return r.data;
}

/** The SQLite error code of a better-sqlite3 error (`SQLITE_CONSTRAINT_FOREIGNKEY` …), if it is one. */
export const sqliteCode = (err: unknown): string | undefined =>
  err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;

/** Whether SQLite refused a change because it would break a discovered-entity rule (a trigger's RAISE(ABORT)). */
export const isDuplicateEntity = (err: unknown): boolean =>
  sqliteCode(err) === 'SQLITE_CONSTRAINT_TRIGGER' && (err as Error).message.startsWith(DUPLICATE_ENTITY);
