/**
 * The Errors screen's filter and page, kept in its address
 * (`#/errors?category=…&crawler_id=…&offset=50`): read from it, written to it. The errors themselves are cached by TanStack Query
 * (useErrorsPage); live.ts puts new matching ones on top.
 */
import { ErrorCategorySchema, ErrorSeveritySchema, type ErrorCategory, type ErrorSeverity } from '../../../../shared/errors';

export const ERRORS_PAGE_SIZE = 50;

export interface ErrorFilter {
  category?: ErrorCategory;
  severity?: ErrorSeverity;
  crawler_id?: string;
  job_id?: string;
}

/** Drops empty fields so the query, the cache key and the address see one filter. */
export function cleanFilter(f: ErrorFilter): ErrorFilter {
  const out: ErrorFilter = {};
  if (f.category) out.category = f.category;
  if (f.severity) out.severity = f.severity;
  if (f.crawler_id?.trim()) out.crawler_id = f.crawler_id.trim();
  if (f.job_id?.trim()) out.job_id = f.job_id.trim();
  return out;
}

/** The filter in an address's parameters; unknown categories and severities are ignored. */
export function filterFromParams(params: Readonly<Record<string, string>>): ErrorFilter {
  const category = ErrorCategorySchema.safeParse(params.category);
  const severity = ErrorSeveritySchema.safeParse(params.severity);
  return cleanFilter({
    category: category.success ? category.data : undefined,
    severity: severity.success ? severity.data : undefined,
    crawler_id: params.crawler_id,
    job_id: params.job_id,
  });
}

/** The address parameters of a filter: the inverse of filterFromParams (in one order, so one filter has one address). */
export function filterToParams(f: ErrorFilter): Record<string, string> {
  const c = cleanFilter(f);
  const out: Record<string, string> = {};
  if (c.category) out.category = c.category;
  if (c.severity) out.severity = c.severity;
  if (c.crawler_id) out.crawler_id = c.crawler_id;
  if (c.job_id) out.job_id = c.job_id;
  return out;
}

/** The page's offset in an address (`offset=50`): a whole number of pages from the newest; anything else is the newest page. */
export function offsetFromParams(params: Readonly<Record<string, string>>): number {
  const raw = params.offset ?? '';
  if (!/^\d{1,9}$/.test(raw)) return 0;
  const n = Number(raw);
  return n - (n % ERRORS_PAGE_SIZE);
}

/** The address parameters of a page of errors: its filter, and its offset unless it is the newest page. */
export function pageToParams(f: ErrorFilter, offset: number): Record<string, string> {
  const out = filterToParams(f);
  if (offset > 0) out.offset = String(offset);
  return out;
}
