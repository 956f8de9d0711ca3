/**
 * What deserves a desktop notification, and how many get through: pure, so
 * the rules are tested without a browser.
 */
import type { ConsoleEvent } from '../../../../shared/contract';

/** Notifications allowed per RATE_WINDOW_MS; the rest are counted and summarised in the next one. */
export const RATE_LIMIT = 5;
export const RATE_WINDOW_MS = 60_000;
const MAX_REMEMBERED = 10_000;

export interface Notice {
  key: string;
  title: string;
  body: string;
}

/** What deserves a notification in a batch of events (pure). */
export function noticesFor(events: readonly ConsoleEvent[]): Notice[] {
  const out: Notice[] = [];
  for (const e of events) {
    if (e.type === 'job_changed') {
      const j = e.job;
      const what = j.namespace_path ?? j.entity_name ?? j.entity_id ?? j.job_id;
      if (j.status === 'failed') {
        out.push({ key: `failed:${j.job_id}`, title: 'Job failed', body: `${j.job_type} ${what}${j.last_error ? `: ${j.last_error}` : ''}` });
      } else if (j.status === 'waiting_credentials') {
        out.push({ key: `credentials:${j.job_id}`, title: 'Job waiting for credentials', body: `${j.job_type} ${what} needs a GitLab token for ${j.gitlab_host || 'its host'}.` });
      }
    } else if (e.type === 'crawler_disconnected' && e.lost) {
      out.push({ key: `lost:${e.crawler.crawler_id}`, title: 'Crawler lost', body: `${e.crawler.name ?? e.crawler.crawler_id}: ${e.reason}` });
    }
  }
  return out;
}

/** Decides which notices are shown: once per key, and no more than RATE_LIMIT a minute. */
export class NoticeGate {
  private readonly seen = new Set<string>();
  private sent: number[] = [];
  suppressed = 0;

  admit(notice: Notice, now: number): { show: boolean; suppressedBefore: number } {
    if (this.seen.has(notice.key)) return { show: false, suppressedBefore: 0 };
    if (this.seen.size >= MAX_REMEMBERED) this.seen.clear();
    this.seen.add(notice.key);
    this.sent = this.sent.filter((t) => now - t < RATE_WINDOW_MS);
    if (this.sent.length >= RATE_LIMIT) {
      this.suppressed++;
      return { show: false, suppressedBefore: 0 };
    }
    this.sent.push(now);
    const suppressedBefore = this.suppressed;
    this.suppressed = 0;
    return { show: true, suppressedBefore };
  }
}
