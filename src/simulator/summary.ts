/**
 * What a simulation reports at the end: per crawler and in total, jobs by
 * outcome and messages written by type (counted by the client when the socket
 * accepted them, so they match what the console received).
 */
import { z } from 'zod';
import type { SpellingMode } from './options';

const Counts = z.record(z.string(), z.number().int().nonnegative());

export const JobCountsSchema = z.object({
  /** Jobs handed to the crawler (job_response or job_assignment). */
  received: z.number().int().nonnegative(),
  completed: z.number().int().nonnegative(),
  /** Jobs reported with job_failed (including interrupted ones). */
  failed: z.number().int().nonnegative(),
  /** Of the failed: handed back because the crawler was stopping (is_recoverable, with resume state). */
  interrupted: z.number().int().nonnegative(),
  /** Stopped on the console's job_cancel, or because the console no longer leased it: nothing more sent. */
  cancelled: z.number().int().nonnegative(),
  /** Could not be reported (the client closed before the final message went out). */
  abandoned: z.number().int().nonnegative(),
});
export type JobCounts = z.infer<typeof JobCountsSchema>;

export const TokenRefreshCountsSchema = z.object({
  requested: z.number().int().nonnegative(),
  granted: z.number().int().nonnegative(),
  refused: z.number().int().nonnegative(),
});

export const CrawlerSummarySchema = z.object({
  crawler_id: z.string(),
  spelling: z.enum(['documented', 'crawler']),
  framing: z.enum(['delimited', 'unterminated', 'mixed']),
  connected: z.boolean(),
  error: z.string().optional(),
  jobs: JobCountsSchema,
  messages_sent: Counts,
  messages_dropped: z.number().int().nonnegative(),
  token_refreshes: TokenRefreshCountsSchema,
  reconnects: z.number().int().nonnegative(),
  items_processed: z.number().nonnegative(),
});
export type CrawlerSummary = z.infer<typeof CrawlerSummarySchema>;

export const SimulationSummarySchema = z.object({
  seed: z.number().int(),
  crawlers: z.number().int(),
  spelling: z.enum(['documented', 'crawler', 'mixed']),
  speed: z.number(),
  processes: z.boolean(),
  duration_ms: z.number().nonnegative(),
  jobs: JobCountsSchema,
  messages_sent: Counts,
  messages_sent_total: z.number().int().nonnegative(),
  messages_dropped: z.number().int().nonnegative(),
  token_refreshes: TokenRefreshCountsSchema,
  reconnects: z.number().int().nonnegative(),
  items_processed: z.number().nonnegative(),
  errors: z.array(z.string()),
  per_crawler: z.array(CrawlerSummarySchema),
});
export type SimulationSummary = z.infer<typeof SimulationSummarySchema>;

export const emptyJobCounts = (): JobCounts => ({ received: 0, completed: 0, failed: 0, interrupted: 0, cancelled: 0, abandoned: 0 });

export function combineSummaries(
  perCrawler: CrawlerSummary[],
  meta: { seed: number; spelling: SpellingMode; speed: number; processes: boolean; durationMs: number; errors?: string[] },
): SimulationSummary {
  const jobs = emptyJobCounts();
  const sent: Record<string, number> = {};
  const refresh = { requested: 0, granted: 0, refused: 0 };
  let dropped = 0;
  let reconnects = 0;
  let items = 0;
  for (const c of perCrawler) {
    for (const k of Object.keys(jobs) as (keyof JobCounts)[]) jobs[k] += c.jobs[k];
    for (const [t, n] of Object.entries(c.messages_sent)) sent[t] = (sent[t] ?? 0) + n;
    refresh.requested += c.token_refreshes.requested;
    refresh.granted += c.token_refreshes.granted;
    refresh.refused += c.token_refreshes.refused;
    dropped += c.messages_dropped;
    reconnects += c.reconnects;
    items += c.items_processed;
  }
  const errors = [...(meta.errors ?? []), ...perCrawler.flatMap((c) => (c.error ? [`${c.crawler_id}: ${c.error}`] : []))];
  return {
    seed: meta.seed,
    crawlers: perCrawler.length,
    spelling: meta.spelling,
    speed: meta.speed,
    processes: meta.processes,
    duration_ms: Math.round(meta.durationMs),
    jobs,
    messages_sent: sortKeys(sent),
    messages_sent_total: Object.values(sent).reduce((a, b) => a + b, 0),
    messages_dropped: dropped,
    token_refreshes: refresh,
    reconnects,
    items_processed: items,
    errors,
    per_crawler: perCrawler,
  };
}

export function formatSummary(s: SimulationSummary): string {
  const j = s.jobs;
  const sent = Object.entries(s.messages_sent)
    .map(([t, n]) => `${t} ${n}`)
    .join(', ');
  const lines = [
    `Simulation summary — ${s.crawlers} crawler${s.crawlers === 1 ? '' : 's'}${s.processes ? ' (one process each)' : ''}, ${s.spelling} spelling, speed ${s.speed}x, seed ${s.seed}, ${(s.duration_ms / 1000).toFixed(1)} s`,
    `  jobs:     received ${j.received}, completed ${j.completed}, failed ${j.failed} (interrupted ${j.interrupted}), cancelled ${j.cancelled}${j.abandoned ? `, abandoned ${j.abandoned}` : ''}`,
    `  messages: ${s.messages_sent_total} sent — ${sent || 'none'}`,
    `  dropped:  ${s.messages_dropped} progress/heartbeat · reconnects ${s.reconnects} · token refreshes ${s.token_refreshes.requested} (granted ${s.token_refreshes.granted}, refused ${s.token_refreshes.refused}) · items ${s.items_processed}`,
  ];
  if (s.errors.length > 0) lines.push(`  errors:   ${s.errors.length} (on stderr)`);
  lines.push(`  repeat with --seed ${s.seed}`);
  return lines.join('\n') + '\n';
}

function sortKeys(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
