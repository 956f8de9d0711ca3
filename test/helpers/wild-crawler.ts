/**
 * A test crawler that behaves on the wire like the GitLab crawler researchers run
 * today (PROTOCOL.md, "What the crawler in the wild does"), written from that
 * description, not from its code:
 *
 * - never says `hello`; asks for work only with `job_request`;
 * - heartbeats on a fixed interval (5 s by default) in the crawler spelling,
 *   always `activeJobs: 0`, `idle`;
 * - ignores `job_assignment`, `job_cancel`, `shutdown` and `error` (kept in
 *   `ignored`, so a test can see what it was sent and did not act on);
 * - writes each message as a bare `JSON.stringify(message)`: no delimiter.
 *
 * It reads the console's replies as delimited lines (the console always ends its
 * messages with the delimiter).
 */
import net from 'node:net';

export type WildFraming = 'unterminated' | 'delimited';

/**
 * The framing this crawler writes: 'unterminated', as the crawler in the wild
 * does (bare JSON.stringify, no delimiter). Override per crawler (`framing`
 * option) or for a run (`WILD_CRAWLER_FRAMING`).
 */
export const WILD_FRAMING_DEFAULT: WildFraming = 'unterminated';

const framingFromEnv = (): WildFraming => {
  const v = process.env.WILD_CRAWLER_FRAMING;
  if (v === undefined || v === '') return WILD_FRAMING_DEFAULT;
  if (v === 'unterminated' || v === 'delimited') return v;
  throw new Error(`WILD_CRAWLER_FRAMING="${v}": expected unterminated or delimited`);
};

export interface WildCrawlerOptions {
  /** Heartbeat interval in ms (the crawler in the wild: 5000). 0 sends none. */
  heartbeatMs?: number;
  framing?: WildFraming;
}

/** A job as the crawler in the wild receives it in `job_response`. */
export interface WildJob {
  id: string;
  entityType: string;
  entityId: string;
  gitlabUrl: string;
  accessToken: string;
  resumeState?: Record<string, unknown>;
}

type Message = Record<string, unknown>;

const IGNORED = new Set(['job_assignment', 'job_cancel', 'shutdown', 'error']);

export class WildCrawler {
  readonly framing: WildFraming;
  /** Messages it was sent and does not understand (it only logs them). */
  readonly ignored: Message[] = [];
  /** Everything the console sent, in order. */
  readonly received: Message[] = [];
  heartbeatsSent = 0;
  private buffer = '';
  private waiters: { test: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly closedPromise: Promise<void>;
  private readonly startedAt = Date.now();

  private constructor(
    private readonly socket: net.Socket,
    options: WildCrawlerOptions,
  ) {
    this.framing = options.framing ?? framingFromEnv();
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', () => undefined);
    this.closedPromise = new Promise((resolve) =>
      socket.on('close', () => {
        this.closed = true;
        this.stopHeartbeats();
        resolve();
      }),
    );
    const every = options.heartbeatMs ?? 5000;
    if (every > 0) {
      this.timer = setInterval(() => this.heartbeat(), every);
      this.timer.unref();
    }
  }

  static connect(socketPath: string, options: WildCrawlerOptions = {}): Promise<WildCrawler> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ path: socketPath });
      socket.once('connect', () => resolve(new WildCrawler(socket, options)));
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** One message as the crawler writes it. */
  encode(message: Message): string {
    return JSON.stringify(message) + (this.framing === 'delimited' ? '\n' : '');
  }

  /** One write per message. */
  send(message: Message): void {
    this.socket.write(this.encode(message));
  }

  /** Several messages in one write. */
  sendTogether(messages: readonly Message[]): void {
    this.socket.write(messages.map((m) => this.encode(m)).join(''));
  }

  /** One message in two writes, split at byte `at` (possibly inside a multi-byte character), with a pause between. */
  async sendSplit(message: Message, at: number): Promise<void> {
    const bytes = Buffer.from(this.encode(message), 'utf8');
    this.socket.write(bytes.subarray(0, at));
    await new Promise((r) => setTimeout(r, 1));
    this.socket.write(bytes.subarray(at));
  }

  heartbeat(): void {
    if (this.closed) return;
    this.heartbeatsSent++;
    this.send({
      type: 'heartbeat',
      timestamp: new Date().toISOString(),
      data: {
        activeJobs: 0,
        totalProcessed: 0,
        systemStatus: 'idle',
        uptime: (Date.now() - this.startedAt) / 1000,
        memoryUsage: { rss: 1, heapTotal: 2, heapUsed: 3, external: 4, arrayBuffers: 5 },
      },
    });
  }

  stopHeartbeats(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** `job_request` with an empty data object, and the `job_response` that answers it. */
  async requestJobs(timeoutMs = 5000): Promise<WildJob[]> {
    const answer = this.next((m) => m.type === 'job_response', timeoutMs);
    this.send({ type: 'job_request', timestamp: new Date().toISOString(), data: {} });
    return ((await answer).data as { jobs: WildJob[] }).jobs;
  }

  /** `token_refresh_request` as the crawler sends it on a 401 (an empty data object), and the answer. */
  async refreshToken(jobId: string, timeoutMs = 5000): Promise<Message> {
    const answer = this.next((m) => m.type === 'token_refresh_response' && m.jobId === jobId, timeoutMs);
    this.send({ type: 'token_refresh_request', timestamp: new Date().toISOString(), jobId, data: {} });
    return answer;
  }

  started(job: WildJob): void {
    this.send({ type: 'job_started', timestamp: new Date().toISOString(), jobId: job.id, data: { entityType: job.entityType, entityId: job.entityId } });
  }

  progress(jobId: string, entityType: string, processed: number, extra: Message = {}): Message {
    const m = { type: 'job_progress', timestamp: new Date().toISOString(), jobId, data: { stage: 'fetching', entityType, processed, ...extra } };
    return m;
  }

  completed(jobId: string, finalCounts: Record<string, number> = {}): void {
    this.send({ type: 'job_completed', timestamp: new Date().toISOString(), jobId, data: { success: true, finalCounts } });
  }

  failed(jobId: string, error: string, isRecoverable = true): void {
    this.send({ type: 'job_failed', timestamp: new Date().toISOString(), jobId, data: { error, isRecoverable } });
  }

  jobsDiscovered(jobId: string, items: readonly Message[]): Message {
    return {
      type: 'jobs_discovered',
      timestamp: new Date().toISOString(),
      jobId,
      data: { discovered_jobs: items, discovery_summary: { total_groups: items.length } },
    };
  }

  /** The first message (already received or future) that matches; consumed. */
  next(test: (m: Message) => boolean, timeoutMs = 5000): Promise<Message> {
    const i = this.received.findIndex(test);
    if (i >= 0) return Promise.resolve(this.received.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter = {
        test,
        resolve: (m: Message) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no matching message within ${timeoutMs} ms; received: ${JSON.stringify(this.received).slice(0, 400)}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Stops like the crawler's process ending. */
  async stop(): Promise<void> {
    this.stopHeartbeats();
    this.socket.destroy();
    await this.closedPromise;
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (!line) continue;
      let m: Message;
      try {
        m = JSON.parse(line) as Message;
      } catch {
        continue; // the crawler logs and drops what it cannot parse
      }
      if (typeof m.type === 'string' && IGNORED.has(m.type)) {
        this.ignored.push(m);
        continue;
      }
      const w = this.waiters.find((x) => x.test(m));
      if (w) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(m);
      } else {
        this.received.push(m);
      }
    }
  }
}
