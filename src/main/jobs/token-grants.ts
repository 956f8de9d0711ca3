/**
 * Which GitLab token a job may be given, and to whom: resolution (its own
 * credential, else the best saved for its host, never one GitLab refused for
 * it), handouts on record, the holder's token refresh, and jobs waiting for a
 * token going on once one is saved. Tokens are plaintext only here and on
 * their way to the crawler; never logged.
 */
import type { CrawlerMessageOf, ErrorCode, WebAppMessage } from '../../shared/protocol';
import { ApiError } from '../../shared/contract/errors';
import type { JobStatus } from '../../shared/jobs';
import type { TokenRefreshAnswer } from '../socket/types/messages';
import type { SocketConnection } from '../socket/connection/socket-connection';
import type { Credential, Job } from '../store';
import type { StoredHandout } from '../store/credentials-repo';
import type { CrawlerSessions } from './crawler-sessions';
import type { JobContext } from './job-context';

/** A token refresh the console will not answer with a token (not the asker's job): replied to with `error`. */
export interface TokenRefreshRefusal {
  refused: { code: ErrorCode; error: string };
}

/** A job's token, or why it has none it may be given (shown with the job while it waits). */
export type TokenResolution = { token: string; credential: Credential } | { reason: string };

/** A token on its way to a job (recorded, so a refusal by GitLab can be pinned on it). */
export interface Grant {
  job: Job;
  credential: Credential;
}

const HELD: readonly JobStatus[] = ['assigned', 'running', 'waiting_credentials'];
const NON_FINAL: readonly JobStatus[] = ['queued', 'assigned', 'running', 'waiting_credentials'];
/** One hour: a refreshed token's assumed life when its credential has no known expiry. */
const ASSUMED_TOKEN_LIFE_MS = 3_600_000;

export class TokenGrants {
  constructor(
    private readonly ctx: JobContext,
    private readonly sessions: CrawlerSessions,
  ) {}

  /**
   * The plaintext token a job may be handed (never logged): its own credential's,
   * else (none, or its own does not work for it) the best one saved for its host;
   * or why there is none. A token past its known expiry, an empty one, one this
   * console cannot decrypt, or the one GitLab refused for this very job is not usable.
   */
  resolve(job: Job, handout: StoredHandout | null = this.ctx.store.credentials.handoutOf(job.id)): TokenResolution {
    const credentials = this.ctx.store.credentials;
    const own = job.credential_id ? credentials.getCredential(job.credential_id) : null;
    const refused = handout?.refused ? this.refusedTokenOf(handout) : null;
    const first = own ? this.usableToken(job, own, refused) : null;
    if (first && 'token' in first) return first;
    let fallback: TokenResolution | null = null;
    for (const candidate of job.gitlab_host ? credentials.usableCredentialsForHost(job.gitlab_host, this.ctx.now()) : []) {
      if (candidate.id === own?.id) continue;
      const t = this.usableToken(job, candidate, refused);
      if ('token' in t) return t;
      fallback ??= t;
    }
    if (first) return first;
    const host = job.gitlab_host || 'this job’s GitLab host';
    if (job.credential_id) return { reason: `its credential ${job.credential_id} no longer exists; save a token for ${host} or move the job to another credential` };
    if (fallback) return fallback;
    const any = job.gitlab_host ? credentials.findCredentialForHost(job.gitlab_host) : null;
    return any ? this.usableToken(job, any, refused) : { reason: `no token saved for ${host}; save one on the Credentials screen` };
  }

  /**
   * The job waits for a token, visibly, with the reason; no attempt is spent.
   * `keepCrawler`: the crawler asked for the token and is answered unasked once one is saved.
   */
  waitForToken(job: Job, reason: string, crawlerId: string | null, keepCrawler = false): void {
    if (job.status === 'waiting_credentials' && keepCrawler && job.leased_to === crawlerId && job.last_error === reason) return;
    this.ctx.ledger.change(job.id, 'wait_for_token', { leased_to: keepCrawler ? crawlerId : null, lease_expires_at: null, last_error: reason }, { crawler_id: crawlerId, reason }, [job.status]);
  }

  recordHandouts(grants: readonly Grant[]): void {
    if (grants.length === 0) return;
    this.ctx.store.credentials.recordHandouts(
      grants.map((g) => ({ job_id: g.job.id, credential_id: g.credential.id, token_version: g.credential.token_version ?? 1 })),
    );
  }

  /**
   * A crawler's request for a new token (GitLab refused the one it has). A token
   * the console already handed to this job is the one that failed: it is marked
   * refused and never offered again; another usable token for the job is a
   * success. Without one the job waits for credentials, and the crawler is told
   * (refreshSuccessful false) — it gets the token unasked once the operator saves one.
   */
  refresh(c: SocketConnection, m: CrawlerMessageOf<'token_refresh_request'>): TokenRefreshAnswer | TokenRefreshRefusal {
    const id = m.job_id;
    const job = this.ctx.store.jobs.getJob(id);
    // Only the connection an unfinished job is leased to gets a token; anything else changes nothing.
    const refusal = this.refreshRefusal(c, id, job);
    if (refusal || !job) return refusal ?? { refused: { code: 'unknown_job', error: `there is no job ${id}` } };
    this.sessions.remember(c);
    const handed = this.ctx.store.credentials.handoutOf(id);
    let t = this.resolve(job, handed);
    // A crawler may ask ahead of expiry (current_token_expired: false): the token it has is not refused then.
    const failed = m.data.current_token_expired !== false;
    if (failed && 'token' in t && handed && handed.credential_id === t.credential.id && handed.token_version === (t.credential.token_version ?? 1)) {
      const detail = m.data.error_details ? `: ${m.data.error_details}` : '';
      this.ctx.store.credentials.refuseHandout(id);
      this.ctx.store.credentials.rejectToken(t.credential.id, handed.token_version, `GitLab refused it for job ${id} (${c.crawlerId}${detail})`);
      this.ctx.recordError({
        category: 'authentication',
        severity: 'high',
        code: 'token_refused',
        message: `GitLab refused the token of credential “${t.credential.label}” (${t.credential.token_hint}) for job ${id} on ${job.gitlab_host}; the job waits for a new token`,
        crawler_id: c.crawlerId,
        job_id: id,
      });
      t = this.resolve(job); // another token saved for the host may still work
    }
    if ('token' in t) {
      this.recordHandouts([{ job, credential: t.credential }]);
      if (job.status === 'waiting_credentials') {
        this.ctx.ledger.change(id, 'token_provided', { leased_to: c.crawlerId }, { crawler_id: c.crawlerId, reason: `token of “${t.credential.label}” handed over` });
      }
      return this.answer(t.credential, t.token);
    }
    this.ctx.flush();
    if (job.status === 'assigned' || job.status === 'running' || job.status === 'waiting_credentials') {
      this.waitForToken(job, t.reason, c.crawlerId, true);
    }
    return this.answer(this.credentialOf(job), null);
  }

  /**
   * After a token is saved, replaced or jobs moved to another credential: every
   * job waiting for credentials that now has a usable token goes on. A job whose
   * crawler is still connected and waiting gets the token unasked
   * (token_refresh_response) and runs again; the others go back to the queue
   * (no attempt spent) and are handed out with the new token.
   */
  async resumeWaitingJobs(): Promise<{ answered: number; requeued: number }> {
    this.ctx.flush();
    let answered = 0;
    let requeued = 0;
    const sends: Promise<void>[] = [];
    // Jobs of one credential and host resolve alike: decrypt once per pair, not once per job.
    const resolved = new Map<string, TokenResolution>();
    const resolve = (job: Job): TokenResolution => {
      const handout = this.ctx.store.credentials.handoutOf(job.id);
      if (handout?.refused) return this.resolve(job, handout); // particular to this job
      const key = `${job.credential_id ?? ''}\u0000${job.gitlab_host}`;
      let t = resolved.get(key);
      if (!t) resolved.set(key, (t = this.resolve(job, handout)));
      return t;
    };
    const ledger = this.ctx.ledger;
    for (let skipped = 0; ; ) {
      const page = this.ctx.store.jobs.listJobs({ status: ['waiting_credentials'], limit: 500, offset: skipped, sort: 'created_at', dir: 'asc' }).jobs;
      for (const job of page) {
        const t = resolve(job);
        if ('reason' in t) {
          skipped++;
          continue;
        }
        const conn = job.leased_to ? this.sessions.getConnection(job.leased_to) : undefined;
        if (conn && ledger.change(job.id, 'token_provided', { last_error: null }, { crawler_id: conn.crawlerId, reason: `new token of “${t.credential.label}” sent to ${conn.crawlerId}` })) {
          this.recordHandouts([{ job, credential: t.credential }]);
          const msg: WebAppMessage = { type: 'token_refresh_response', timestamp: new Date(this.ctx.now()).toISOString(), job_id: job.id, data: this.answer(t.credential, t.token) };
          sends.push(
            conn.send(msg).then(
              () => void answered++,
              (err: Error) => this.ctx.logger.warn({ err, jobId: job.id }, 'could not answer a waiting crawler'),
            ),
          );
        } else if (ledger.change(job.id, 'token_saved', { leased_to: null, lease_expires_at: null, last_error: null }, { crawler_id: job.leased_to, reason: `a token of “${t.credential.label}” is saved; queued again` })) {
          requeued++;
        } else {
          skipped++;
        }
      }
      if (page.length < 500) break;
    }
    await Promise.all(sends);
    if (requeued > 0) this.ctx.dispatchSoon();
    return { answered, requeued };
  }

  /** The operator moves unfinished jobs to another credential; the waiting ones among them go on. */
  async moveJobsToCredential(jobIds: readonly string[], credentialId: string, options: { resumeWaiting?: boolean } = {}): Promise<{ moved: number; skipped: string[]; answered: number; requeued: number }> {
    const { moved, skipped } = this.moveJobsNow(jobIds, credentialId);
    const resumed = options.resumeWaiting === false ? { answered: 0, requeued: 0 } : await this.resumeWaitingJobs();
    return { moved, skipped, ...resumed };
  }

  /** The move itself, synchronous (no waiting job is resumed): a write that fails throws to the caller's transaction. */
  moveJobsNow(jobIds: readonly string[], credentialId: string): { moved: number; skipped: string[] } {
    const target = this.ctx.store.credentials.getCredential(credentialId);
    if (!target) throw new ApiError('not_found', `there is no saved credential ${credentialId}`);
    this.ctx.flush();
    let moved = 0;
    const skipped: string[] = [];
    for (const id of jobIds) {
      const job = this.ctx.store.jobs.getJob(id);
      if (!job || !NON_FINAL.includes(job.status)) {
        skipped.push(id);
        continue;
      }
      if (job.credential_id === credentialId) continue;
      if (this.ctx.ledger.change(id, 'move_credential', { credential_id: credentialId }, { reason: `moved to credential “${target.label}” (${target.token_hint}) by the operator` })) moved++;
      else skipped.push(id);
    }
    return { moved, skipped };
  }

  /** A token goes only to the connection an unfinished job is leased to; anything else is refused and changes nothing. */
  private refreshRefusal(c: SocketConnection, id: string, job: Job | null): TokenRefreshRefusal | null {
    if (!job) return { refused: { code: 'unknown_job', error: `there is no job ${id}` } };
    if (!HELD.includes(job.status)) {
      return { refused: { code: job.status === 'cancelled' ? 'job_cancelled' : 'job_not_leased', error: `job ${id} is ${job.status}; it is not leased to ${c.crawlerId}` } };
    }
    if (job.leased_to !== c.crawlerId || this.sessions.getConnection(c.crawlerId) !== c) {
      return { refused: { code: 'job_not_leased', error: `job ${id} is not leased to ${c.crawlerId}; only its holder may refresh its token` } };
    }
    return null;
  }

  /**
   * The expiry always goes with the answer (the crawler in the wild rejects one
   * without): the credential's known expiry, else an hour from now on success and
   * now on failure.
   */
  private answer(credential: Credential | null, token: string | null): TokenRefreshAnswer {
    const now = this.ctx.now();
    const expires = credential?.expires_at ?? (token !== null ? now + ASSUMED_TOKEN_LIFE_MS : now);
    return { access_token: token ?? '', refresh_successful: token !== null, expires_at: new Date(expires).toISOString() };
  }

  /** The job's own credential, else the newest saved for its host (possibly unusable), or null. */
  private credentialOf(job: Job): Credential | null {
    const credentials = this.ctx.store.credentials;
    if (job.credential_id) return credentials.getCredential(job.credential_id);
    return job.gitlab_host ? credentials.findCredentialForHost(job.gitlab_host) : null;
  }

  /** The token GitLab refused for a job, while its credential still holds it (compared by value: the same token may be saved twice). */
  private refusedTokenOf(handout: StoredHandout): string | null {
    const c = this.ctx.store.credentials.getCredential(handout.credential_id);
    if (!c || (c.token_version ?? 1) !== handout.token_version) return null;
    try {
      return this.ctx.store.credentials.getCredentialToken(c.id);
    } catch {
      return null;
    }
  }

  private usableToken(job: Job, credential: Credential, refused: string | null): TokenResolution {
    const name = `credential “${credential.label}” (${credential.token_hint})`;
    if (credential.expires_at && credential.expires_at <= this.ctx.now()) {
      return { reason: `the token of ${name} expired at ${new Date(credential.expires_at).toISOString()}; save a new token for it` };
    }
    let token: string | null;
    try {
      token = this.ctx.store.credentials.getCredentialToken(credential.id);
    } catch (err) {
      this.ctx.logger.error({ jobId: job.id, credentialId: credential.id, err: (err as Error).message }, 'token could not be decrypted');
      return { reason: `the token of ${name} cannot be decrypted here; save it again` };
    }
    if (!token || token.trim() === '') return { reason: `the token of ${name} is empty; save a new token for it` };
    if (refused !== null && token === refused) {
      return { reason: `GitLab refused the token of ${name} for this job; save a new token for it (or for ${job.gitlab_host || 'its host'})` };
    }
    return { token, credential };
  }
}
