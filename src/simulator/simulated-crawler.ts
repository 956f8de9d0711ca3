/**
 * One simulated crawler: a CrawlerClient and the loop of a real crawler — ask
 * for work up to its capacity, run what it is given (and what the console
 * pushes), obey job_cancel and shutdown, keep going across console restarts
 * (the client reconnects and re-reports its jobs). Holds only its active jobs
 * and counters: nothing grows with the length of the run.
 */
import { CrawlerClient, type CrawlerClientStats, type Framing, type JobAssignment, type JobResponseJob, type Spelling } from '../client';
import { toResumeState } from '../shared/protocol';
import { jobTypeFor } from './gitlab-model';
import { type AbortReason, type JobCounters, type JobOutcome, type SimJob, pause, runJob } from './job-runner';
import type { SimulatorOptions } from './options';
import { type CrawlerSummary, emptyJobCounts } from './summary';

/** A real crawler with no work asks again after a few seconds (scaled by --speed). */
const IDLE_POLL_MS = 5000;
/** After a failed request (console away), wait this long (scaled) before asking again. */
const RETRY_MS = 2000;
/** Empty answers in a row, with nothing running, after which --jobs-then-exit stops the crawler. */
const EMPTY_ANSWERS_TO_EXIT = 3;
/** How long a stopping crawler waits for its jobs to hand themselves back before closing anyway. */
const STOP_GRACE_MS = 5000;
/** With --rejoin: how long after a console shutdown the crawler comes back (real time, like a service restart). */
const REJOIN_MS = 3000;

const JOB_GONE = new Set(['job_cancelled', 'job_not_leased', 'unknown_job']);

interface ActiveJob {
  job: SimJob;
  controller: AbortController;
  done: Promise<void>;
}

export function crawlerIdFor(seed: number, index: number): string {
  return `sim-${seed}-${index + 1}`;
}

export function spellingFor(mode: SimulatorOptions['spelling'], index: number): Spelling {
  return mode === 'mixed' ? (index % 2 === 0 ? 'documented' : 'crawler') : mode;
}

export function framingFor(mode: SimulatorOptions['framing'], index: number): Framing {
  return mode === 'mixed' ? (['delimited', 'unterminated', 'mixed'] as const)[index % 3]! : mode;
}

export class SimulatedCrawler {
  readonly id: string;
  /** Replaced by a fresh client when the crawler rejoins after a console shutdown (--rejoin). */
  client: CrawlerClient;
  /** Stats of the clients used before a rejoin, for the summary. */
  private readonly retired: CrawlerClientStats[] = [];
  private readonly active = new Map<string, ActiveJob>();
  private readonly jobs = emptyJobCounts();
  private readonly counters: JobCounters = { itemsProcessed: 0, tokenRefreshes: { requested: 0, granted: 0, refused: 0 } };
  private stopping = false;
  private wakeUp: (() => void) | null = null;
  private error: string | undefined;
  private everConnected = false;

  constructor(
    readonly index: number,
    private readonly options: SimulatorOptions,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    this.id = crawlerIdFor(options.seed, index);
    this.client = this.newClient();
  }

  private newClient(): CrawlerClient {
    const { options, index } = this;
    const client = new CrawlerClient({
      ...(options.tcp
        ? { tcp: options.tcp, authToken: options.token, ...(options.tlsFingerprint !== undefined && { tls: { fingerprint256: options.tlsFingerprint } }) }
        : { socketPath: options.socketPath }),
      crawlerId: this.id,
      name: `crawl-simulator #${index + 1}`,
      version: 'simulator',
      spelling: spellingFor(options.spelling, index),
      framing: framingFor(options.framing, index),
      maxConcurrentJobs: options.concurrency,
      capabilities: ['discover_namespaces', 'crawl_project', 'crawl_group', 'crawl_user'],
      getState: () => this.state(),
      onShutdown: (_request, deadline) => this.onShutdown(deadline),
    });
    this.wire(client);
    return client;
  }

  /** Runs until `stop` aborts, the console shuts it down, or (--jobs-then-exit) the work runs out. */
  async run(stop: AbortSignal): Promise<CrawlerSummary> {
    const onStop = () => {
      this.stopping = true;
      this.wake();
    };
    stop.addEventListener('abort', onStop, { once: true });
    try {
      for (let rejoined = false; ; rejoined = true) {
        try {
          // A rejoining crawler waits for the console to come back, as a service would.
          await this.client.connect({ waitForConsole: this.options.wait || rejoined });
          this.everConnected = true;
          this.log(`${this.id}: connected (${this.client.spelling} spelling, ${framingFor(this.options.framing, this.index)} framing)`);
        } catch (err) {
          if (!stop.aborted) this.error = (err as Error).message;
          return this.summary();
        }
        await this.loop();
        const shutDown = this.client.shuttingDown;
        await this.finish(stop.aborted);
        if (!this.options.rejoin || !shutDown || stop.aborted) return this.summary();
        this.log(`${this.id}: shut down by the console; rejoining in ${REJOIN_MS / 1000} s`);
        this.stopping = false;
        await this.sleep(REJOIN_MS);
        if (stop.aborted) return this.summary();
        this.retired.push(this.client.stats);
        this.client = this.newClient();
      }
    } finally {
      stop.removeEventListener('abort', onStop);
    }
  }

  private async loop(): Promise<void> {
    const speed = this.options.speed;
    let empties = 0;
    while (!this.stopping && !this.client.shuttingDown && !this.clientClosed()) {
      const free = this.options.concurrency - this.active.size;
      if (free <= 0) {
        await this.sleep(IDLE_POLL_MS / speed);
        continue;
      }
      let given: JobResponseJob[];
      try {
        given = await this.client.requestJobs(free);
      } catch {
        if (this.clientClosed()) break;
        await this.sleep(RETRY_MS / speed);
        continue;
      }
      for (const j of given) this.startFromResponse(j);
      if (given.length > 0) {
        empties = 0;
        continue;
      }
      empties = this.active.size === 0 ? empties + 1 : 0;
      if (this.options.jobsThenExit && empties >= EMPTY_ANSWERS_TO_EXIT) break;
      await this.sleep(IDLE_POLL_MS / speed);
    }
  }

  /** Ends the run: on a stop, jobs are handed back (recoverable job_failed); otherwise they finish. Then closes. */
  private async finish(interrupted: boolean): Promise<void> {
    this.stopping = true;
    if (interrupted) for (const a of this.active.values()) a.controller.abort('stop' satisfies AbortReason);
    const all = Promise.all([...this.active.values()].map((a) => a.done));
    // A job waiting for a console that is away would wait forever: bounded on a stop.
    if (interrupted) await Promise.race([all, pause(STOP_GRACE_MS)]);
    else await all;
    await this.client.close({ flush: true, timeoutMs: STOP_GRACE_MS, reason: 'simulation finished' });
    for (const a of this.active.values()) a.controller.abort('lost' satisfies AbortReason);
    await all;
  }

  private wire(c: CrawlerClient): void {
    c.on('job_assignment', (a) => this.startFromAssignment(a));
    c.on('job_response', (jobs, { requested }) => {
      // Jobs of an answer nobody waited for any more (a request that timed out) are leased to us all the same.
      if (!requested) for (const j of jobs) this.startFromResponse(j);
    });
    c.on('job_cancel', ({ job_id }) => this.abortJob(job_id, 'cancel'));
    c.on('error', (e) => {
      if (e.job_id !== undefined && JOB_GONE.has(e.code)) this.abortJob(e.job_id, 'lost');
      else if (!this.options.quiet) this.log(`${this.id}: console error ${e.code}: ${e.message}`);
    });
    c.on('shutdown', (s) => this.log(`${this.id}: console asked to shut down (${s.graceful ? `graceful, ${s.timeout_seconds} s` : 'immediate'})${s.reason ? `: ${s.reason}` : ''}`));
    c.on('disconnected', (d) => {
      if (d.willReconnect) this.log(`${this.id}: console went away (${d.reason}); reconnecting`);
    });
    c.on('connected', ({ reconnected }) => {
      if (reconnected) this.log(`${this.id}: reconnected; re-reported ${this.active.size} held job(s)`);
    });
    c.on('closed', () => {
      if (this.client !== c) return;
      this.stopping = true;
      this.wake();
    });
  }

  private async onShutdown(deadline: number): Promise<void> {
    this.stopping = true;
    this.wake();
    // Let jobs finish while there is time, keeping a margin to hand the rest back.
    const margin = Math.min(1000, Math.max(50, (deadline - Date.now()) * 0.2));
    const all = () => Promise.all([...this.active.values()].map((a) => a.done));
    await Promise.race([all(), pause(Math.max(0, deadline - margin - Date.now()))]);
    for (const a of this.active.values()) a.controller.abort('stop' satisfies AbortReason);
    await Promise.race([all(), pause(Math.max(0, deadline - Date.now()))]);
  }

  private startFromAssignment(a: JobAssignment): void {
    this.start({
      jobId: a.job_id,
      jobType: a.job_type,
      ...(a.entity_id !== undefined && { entityId: a.entity_id }),
      ...(a.namespace_path !== undefined && { namespacePath: a.namespace_path }),
      ...(a.resume && a.resume_state && { resume: a.resume_state }),
    });
  }

  private startFromResponse(j: JobResponseJob): void {
    const jobType = jobTypeFor(j.entityType);
    this.start({
      jobId: j.id,
      jobType,
      entityId: j.entityId,
      // A discovery job's entity is the namespace to discover under (none: the whole instance).
      ...(jobType === 'discover_namespaces' && j.entityId && !/^\d+$/.test(j.entityId) && { namespacePath: j.entityId }),
      ...(j.resumeState && { resume: toResumeState(j.resumeState) }),
    });
  }

  private start(job: SimJob): void {
    if (this.active.has(job.jobId) || this.clientClosed()) return;
    this.jobs.received++;
    const controller = new AbortController();
    const done = runJob(job, {
      client: this.client,
      seed: this.options.seed,
      speed: this.options.speed,
      failureRate: this.options.failureRate,
      tokenRefreshRate: this.options.tokenRefreshRate,
      signal: controller.signal,
      counters: this.counters,
    }).then((outcome) => {
      this.count(outcome);
      this.active.delete(job.jobId);
      this.wake();
    });
    this.active.set(job.jobId, { job, controller, done });
  }

  /** A method, not a property test: the phase changes across awaits. */
  private clientClosed(): boolean {
    return this.client.phase === 'closed';
  }

  private abortJob(jobId: string, reason: AbortReason): void {
    this.active.get(jobId)?.controller.abort(reason);
  }

  private count(outcome: JobOutcome): void {
    if (outcome === 'completed') this.jobs.completed++;
    else if (outcome === 'failed') this.jobs.failed++;
    else if (outcome === 'interrupted') {
      this.jobs.failed++;
      this.jobs.interrupted++;
    } else if (outcome === 'cancelled') this.jobs.cancelled++;
    else this.jobs.abandoned++;
  }

  private state() {
    const kinds = [...this.active.values()].map((a) => a.job.jobType);
    return {
      activeJobs: this.active.size,
      totalProcessed: this.counters.itemsProcessed,
      systemStatus: kinds.includes('discover_namespaces') ? ('discovering' as const) : kinds.length > 0 ? ('crawling' as const) : ('idle' as const),
    };
  }

  /** Waits `ms` or until something happens (a job ends, work is pushed, a stop). */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms < 1 ? null : setTimeout(() => done(), ms);
      const immediate = ms < 1 ? setImmediate(() => done()) : null;
      const done = () => {
        if (timer) clearTimeout(timer);
        if (immediate) clearImmediate(immediate);
        if (this.wakeUp === done) this.wakeUp = null;
        resolve();
      };
      this.wakeUp = done;
    });
  }

  private wake(): void {
    this.wakeUp?.();
  }

  summary(): CrawlerSummary {
    const all = [...this.retired, this.client.stats];
    const sent: Record<string, number> = {};
    for (const s of all) for (const [type, n] of Object.entries(s.sent)) if (n !== undefined) sent[type] = (sent[type] ?? 0) + n;
    return {
      crawler_id: this.id,
      spelling: this.client.spelling,
      framing: framingFor(this.options.framing, this.index),
      connected: this.everConnected,
      ...(this.error !== undefined && { error: this.error }),
      jobs: { ...this.jobs },
      messages_sent: sent,
      messages_dropped: all.reduce((n, s) => n + s.dropped, 0),
      token_refreshes: { ...this.counters.tokenRefreshes },
      // A rejoin after a shutdown is a reconnect too.
      reconnects: all.reduce((n, s) => n + s.reconnects, 0) + this.retired.length,
      items_processed: this.counters.itemsProcessed,
    };
  }
}
