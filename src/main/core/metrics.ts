/**
 * The metrics the console collects, governed by the seed's `enableMetrics`
 * (collect or not) and `metricsInterval` (how often a history sample is
 * written; a minute by default):
 * - per-interval history samples in SQLite (messages, items processed, queue
 *   depth by status, errors by category, crawlers connected), kept for their
 *   own retention (14 days by default), for the Overview's history chart;
 * - a Prometheus registry for `GET /metrics`. prom-client is the de facto
 *   Node registry: it writes the text exposition format (escaping, HELP/TYPE,
 *   histogram buckets) correctly, and adds the process's own metrics.
 */
import type { EventEmitter } from 'node:events';
import { Counter, Gauge, Histogram, type HistogramConfiguration, type MetricObjectWithValues, type MetricType, type MetricValueWithName, Registry, collectDefaultMetrics } from 'prom-client';
import type { ConsoleEvent } from '../../shared/contract';
import { HISTORY_BUCKET_MS, HISTORY_RANGE_MS, type HistoryPoint, type HistoryRange } from '../../shared/ops';
import type { ResolvedSocketConfig } from '../../shared/config';
import type { Logger } from '../observability/logger';
import type { SocketServer } from '../socket/socket-server';
import type { Store } from '../store';
import { DEFAULT_SAMPLE_RETENTION_MS, type MetricSamplesRepo } from '../store/metric-samples-repo';
import type { DispatchControl } from '../jobs/dispatch-control';
import type { ConsoleCoreEvents } from './types';

/** Rates (per second) are the mean over this window. */
const RATE_WINDOW_S = 60;

export interface MetricsOptions {
  store: Store;
  samples: MetricSamplesRepo;
  server: SocketServer;
  events: EventEmitter<ConsoleCoreEvents>;
  dispatch: DispatchControl;
  config: () => ResolvedSocketConfig;
  logger: Logger;
  now: () => number;
  /** How long samples are kept, ms. Default 14 days. */
  retentionMs?: number;
}

/** One-second buckets over the last minute, for "per second now". */
class RateWindow {
  private readonly buckets = new Float64Array(RATE_WINDOW_S);
  private readonly seconds = new Float64Array(RATE_WINDOW_S);

  add(now: number, n: number): void {
    const s = Math.floor(now / 1000);
    const i = s % RATE_WINDOW_S;
    if (this.seconds[i] !== s) {
      this.seconds[i] = s;
      this.buckets[i] = 0;
    }
    this.buckets[i]! += n;
  }

  perSecond(now: number): number {
    const s = Math.floor(now / 1000);
    let sum = 0;
    for (let i = 0; i < RATE_WINDOW_S; i++) if (s - this.seconds[i]! < RATE_WINDOW_S) sum += this.buckets[i]!;
    return sum / RATE_WINDOW_S;
  }
}

/**
 * A label-less histogram counted by the console and exposed by prom-client
 * (same buckets, sum and count, same exposition): `record` is a bucket search
 * and three additions. prom-client's observe() (label validation and hashing,
 * a closure per call) cost more per crawler message than all the rest of the
 * metrics together. Observations go through `record` only.
 */
export class CountedHistogram extends Histogram {
  private readonly bounds: readonly number[];
  /** Per bucket (not cumulative); the last one is +Inf. */
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;
  private readonly metricName: string;
  private readonly metricHelp: string;

  constructor(config: HistogramConfiguration<string> & { buckets: number[] }) {
    super(config);
    this.metricName = config.name;
    this.metricHelp = config.help;
    this.bounds = [...config.buckets].sort((a, b) => a - b);
    this.counts = new Float64Array(this.bounds.length + 1);
  }

  record(value: number): void {
    let i = 0;
    while (i < this.bounds.length && value > this.bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }

  override reset(): void {
    super.reset();
    // prom-client's constructor calls reset() too, before this class's fields exist.
    if ((this.counts as Float64Array | undefined) === undefined) return;
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }

  override get(): Promise<MetricObjectWithValues<MetricValueWithName<string>>> {
    return this.getForPromString();
  }

  /** What the registry reads to write the exposition (prom-client's Histogram has it; ours answers from its own counts). */
  async getForPromString(): Promise<MetricObjectWithValues<MetricValueWithName<string>>> {
    const name = this.metricName;
    const values: MetricValueWithName<string>[] = [];
    let cumulative = 0;
    this.bounds.forEach((le, i) => {
      cumulative += this.counts[i]!;
      values.push({ labels: { le }, value: cumulative, metricName: `${name}_bucket` });
    });
    values.push(
      { labels: { le: '+Inf' }, value: this.count, metricName: `${name}_bucket` },
      { labels: {}, value: this.sum, metricName: `${name}_sum` },
      { labels: {}, value: this.count, metricName: `${name}_count` },
    );
    // prom-client's typings call `type` an enum; at run time (and in the exposition) it is the text 'histogram'.
    return { name, help: this.metricHelp, type: 'histogram' as unknown as MetricType, aggregator: 'sum', collect: () => undefined, values };
  }
}

/** Error rows whose count is followed; older ones have stopped growing. */
const MAX_TRACKED_ERROR_ROWS = 10_000;

/** A counter counted in plain numbers elsewhere: `take` hands over what was counted since, when /metrics is read. */
function countedOnRead(name: string, help: string, registers: Registry[], take: () => number): Counter {
  return new Counter({
    name,
    help,
    registers,
    collect() {
      const n = take();
      if (n > 0) this.inc(n);
    },
  });
}

export class MetricsCollector {
  readonly registry = new Registry();
  private readonly o: MetricsOptions;
  private readonly retentionMs: number;
  private readonly processed = new Map<string, number>();
  private readonly messageRate = new RateWindow();
  private readonly itemRate = new RateWindow();
  private readonly errorsTotal: Counter<'category' | 'severity'>;
  private readonly ingest: CountedHistogram;
  /**
   * Messages and items counted but not yet added to their prom-client counters:
   * added when /metrics is read (a plain addition per message instead of a
   * prom-client inc, which validates and hashes labels every call).
   */
  private unreportedMessages = 0;
  private unreportedItems = 0;
  /** Counts since the last sample. */
  private interval = { messages: 0, items: 0, errors: {} as Record<string, number>, since: 0 };
  /** The count each recent error row had at its last event (rows aggregate a minute: only recent ones grow). */
  private readonly errorCounts = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  private timerMs = 0;
  private readonly detach: () => void;

  constructor(options: MetricsOptions) {
    this.o = options;
    this.retentionMs = options.retentionMs ?? DEFAULT_SAMPLE_RETENTION_MS;
    this.interval.since = options.now();
    const registers = [this.registry];
    const p = 'crawl_console_';
    collectDefaultMetrics({ register: this.registry, prefix: p });
    countedOnRead(`${p}messages_received_total`, 'Crawler messages received and decoded.', registers, () => {
      const n = this.unreportedMessages;
      this.unreportedMessages = 0;
      return n;
    });
    countedOnRead(`${p}items_processed_total`, 'Items crawlers reported processed (from job progress).', registers, () => {
      const n = this.unreportedItems;
      this.unreportedItems = 0;
      return n;
    });
    this.errorsTotal = new Counter({ name: `${p}errors_total`, help: 'Errors recorded, by category and severity.', labelNames: ['category', 'severity'], registers });
    this.ingest = new CountedHistogram({
      name: `${p}ingest_latency_seconds`,
      help: 'Time from a crawler message being decoded to it being handled (stored, answered).',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
    const gauge = (name: string, help: string, labelNames: string[], fill: (g: Gauge) => void) =>
      new Gauge({
        name: `${p}${name}`,
        help,
        labelNames,
        registers,
        collect() {
          fill(this);
        },
      });
    gauge('messages_per_second', `Crawler messages per second, mean of the last ${RATE_WINDOW_S} s.`, [], (g) => g.set(this.messageRate.perSecond(this.o.now())));
    gauge('items_per_second', `Items processed per second, mean of the last ${RATE_WINDOW_S} s.`, [], (g) => g.set(this.itemRate.perSecond(this.o.now())));
    gauge('jobs', 'Jobs by status and type.', ['status', 'job_type'], (g) => {
      g.reset();
      for (const r of this.jobsByStatusAndType()) g.set({ status: r.status, job_type: r.job_type }, r.n);
    });
    gauge('crawlers', 'Connected crawlers by connection state, plus quiet (connected, getting no new work).', ['state'], (g) => {
      g.reset();
      const counts: Record<string, number> = { connecting: 0, active: 0, idle: 0, error: 0, quiet: 0 };
      for (const c of this.o.server.listConnections()) {
        counts[c.state] = (counts[c.state] ?? 0) + 1;
        if (this.o.dispatch.isQuiet(c.crawler_id)) counts.quiet = (counts.quiet ?? 0) + 1;
      }
      for (const [state, n] of Object.entries(counts)) g.set({ state }, n);
    });
    gauge('dispatch_paused', '1 while dispatch is paused (no crawler is handed new work).', [], (g) => g.set(this.o.dispatch.isPaused ? 1 : 0));

    const onEvent = (e: ConsoleEvent) => this.onEvent(e);
    const onMessage = ({ connection }: { connection: { lastMessageAt: number | null } }) => this.onMessage(connection.lastMessageAt);
    options.events.on('event', onEvent);
    options.server.on('message_processed', onMessage);
    this.detach = () => {
      options.events.off('event', onEvent);
      options.server.off('message_processed', onMessage);
    };
  }

  get enabled(): boolean {
    return this.o.config().enableMetrics;
  }

  /** Starts (or re-times) sampling from the configuration; called at start and on config changes. */
  applyConfig(): void {
    const { enableMetrics, metricsInterval } = this.o.config();
    if (!enableMetrics) {
      this.stopTimer();
      return;
    }
    if (this.timer && this.timerMs === metricsInterval) return;
    this.stopTimer();
    this.timerMs = metricsInterval;
    this.timer = setInterval(() => {
      try {
        this.sample();
      } catch (err) {
        this.o.logger.error({ err }, 'metrics sample failed');
      }
    }, metricsInterval);
    this.timer.unref();
  }

  /** Writes one history sample for the time since the last one, and prunes old samples. */
  sample(): void {
    if (!this.o.store.isOpen) return;
    const at = this.o.now();
    const queue = this.o.store.jobs.countByStatus();
    const connected = this.o.server.listConnections().length;
    this.o.samples.insert({
      at,
      interval_ms: Math.max(1, at - this.interval.since),
      messages: this.interval.messages,
      items: this.interval.items,
      errors: this.interval.errors,
      queue,
      crawlers_connected: connected,
    });
    this.interval = { messages: 0, items: 0, errors: {}, since: at };
    this.o.samples.prune(at - this.retentionMs);
  }

  history(range: HistoryRange): { points: HistoryPoint[]; bucket_ms: number; since: number; until: number; enabled: boolean } {
    const until = this.o.now();
    const since = until - HISTORY_RANGE_MS[range];
    const bucket = HISTORY_BUCKET_MS[range];
    return { points: this.o.samples.history(since, until, bucket), bucket_ms: bucket, since, until, enabled: this.enabled };
  }

  /** The Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  stop(): void {
    this.stopTimer();
    this.detach();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.timerMs = 0;
  }

  private onMessage(decodedAt: number | null): void {
    if (!this.enabled) return;
    const now = this.o.now();
    this.unreportedMessages++;
    this.messageRate.add(now, 1);
    this.interval.messages++;
    if (decodedAt !== null) this.ingest.record(Math.max(0, now - decodedAt) / 1000);
  }

  private onEvent(e: ConsoleEvent): void {
    if (!this.enabled) return;
    if (e.type === 'progress') {
      const p = e.progress;
      const before = this.processed.get(p.job_id) ?? 0;
      // `processed` is cumulative per job; a retry starts it again from its resume point.
      const delta = p.processed >= before ? p.processed - before : p.processed;
      if (delta > 0) {
        this.unreportedItems += delta;
        this.itemRate.add(this.o.now(), delta);
        this.interval.items += delta;
      }
      if (p.state === 'completed' || p.state === 'failed') this.processed.delete(p.job_id);
      else this.processed.set(p.job_id, p.processed);
    } else if (e.type === 'job_changed' && (e.job.status === 'completed' || e.job.status === 'failed' || e.job.status === 'cancelled')) {
      this.processed.delete(e.job.job_id);
    } else if (e.type === 'error') {
      // Identical errors within a minute are one row whose count grows: count what is new since its last event.
      const count = e.error.count ?? 1;
      const delta = count - (this.errorCounts.get(e.error.id) ?? 0);
      this.errorCounts.set(e.error.id, count);
      if (this.errorCounts.size > MAX_TRACKED_ERROR_ROWS) this.errorCounts.delete(this.errorCounts.keys().next().value!);
      if (delta <= 0) return;
      this.errorsTotal.inc({ category: e.error.category, severity: e.error.severity }, delta);
      this.interval.errors[e.error.category] = (this.interval.errors[e.error.category] ?? 0) + delta;
    }
  }

  private jobsByStatusAndType(): { status: string; job_type: string; n: number }[] {
    if (!this.o.store.isOpen) return [];
    // job_counts is the maintained count (store migrations 006/007): no read of the jobs table per scrape.
    return this.o.store.db
      .prepare('SELECT status, job_type, SUM(n) AS n FROM job_counts GROUP BY status, job_type HAVING SUM(n) > 0')
      .all() as { status: string; job_type: string; n: number }[];
  }
}
