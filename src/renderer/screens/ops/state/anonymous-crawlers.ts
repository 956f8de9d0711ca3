/**
 * Crawlers that never say who they are (the crawler in the wild sends no hello)
 * reconnect under a new id every time. Listed one row each, they would bury the
 * crawlers that matter; the screen folds the disconnected ones into one line,
 * and the console leaves out those gone longer than a chosen time.
 */
import type { CrawlerView } from '../../../../shared/contract';
import type { CrawlerLine } from './crawler-health';

/** How long disconnected anonymous crawlers stay listed (the operator's choice). */
export const ANONYMOUS_RETENTION_CHOICES = [
  { ms: 60_000, label: '1 minute' },
  { ms: 600_000, label: '10 minutes' },
  { ms: 3_600_000, label: '1 hour' },
  { ms: 86_400_000, label: '1 day' },
  { ms: 30 * 86_400_000, label: '30 days' },
] as const;
export const DEFAULT_ANONYMOUS_RETENTION_MS = 600_000;
const STORAGE_KEY = 'crawl-console.anonymousRetentionMs';

export function loadAnonymousRetention(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): number {
  const raw = Number(storage?.getItem(STORAGE_KEY));
  return ANONYMOUS_RETENTION_CHOICES.some((c) => c.ms === raw) ? raw : DEFAULT_ANONYMOUS_RETENTION_MS;
}

export function saveAnonymousRetention(ms: number, storage: Pick<Storage, 'setItem'> | undefined = globalThis.localStorage): void {
  try {
    storage?.setItem(STORAGE_KEY, String(ms));
  } catch {
    /* storage full or denied: the choice lasts for this page only */
  }
}

/** A line is anonymous when the console says so, or (a disconnect seen live, not yet reloaded) when it never said hello. */
export function isAnonymous(line: CrawlerLine, records: Readonly<Record<string, CrawlerView>>): boolean {
  const record = records[line.crawler_id];
  if (record?.anonymous !== undefined) return record.anonymous;
  return line.connection !== null && !line.connection.said_hello;
}

/** The rows to list one by one, and the disconnected anonymous ones folded into one line. */
export function foldAnonymous(lines: readonly CrawlerLine[], records: Readonly<Record<string, CrawlerView>>): { rows: CrawlerLine[]; ghosts: CrawlerLine[] } {
  const rows: CrawlerLine[] = [];
  const ghosts: CrawlerLine[] = [];
  for (const l of lines) (!l.connected && isAnonymous(l, records) ? ghosts : rows).push(l);
  return { rows, ghosts };
}

/** "3 anonymous crawlers reconnected", with the ones the console left out. */
export function ghostSummary(ghosts: number, pruned: number, retentionLabel: string): string {
  const shown = `${ghosts} anonymous crawler${ghosts === 1 ? '' : 's'} reconnected`;
  return pruned > 0 ? `${shown} (${pruned} more disconnected over ${retentionLabel} ago not listed)` : shown;
}
