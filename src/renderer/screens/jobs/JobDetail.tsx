/** One job: progress (live), details, history, errors, resume state, parent and children. */
import type { ReactNode } from 'react';
import type { JobDetail } from '../../../shared/contract';
import { isFinalJobStatus, type JobDto, type JobStatus } from '../../../shared/jobs';
import type { EntityProgress, JobProgress } from '../../../shared/progress';
import { useNow } from '../../components/use-now';
import { useJobAction, useJobDetail } from './detail-query';
import { cachedJob } from './table-state';
import { formatCount, formatDuration, formatFull, formatPercent, formatRate, formatWhen, shortId } from './format';
import { credentialLabel, figuresDisagree } from './detail-facts';
import { useCredentials } from '../ops/state/credentials-store';
import { BulkResultPanel, JobActionButtons } from './JobActions';
import { ProgressBar } from '../../components/ProgressBar';
import { StatusBadge } from './StatusBadge';
import { timeline } from './timeline';
import { JobScheduleLink } from '../power';
import { lastJobsParams } from './address';
import { JobResults } from './JobResults';
import { ViewLink, useNavigate, useViewParams } from '../../router';

const LIVE_STATUSES: readonly JobStatus[] = ['running', 'waiting_credentials'];

function JobLink({ job, children }: { job: Pick<JobDto, 'job_id'>; children?: ReactNode }) {
  return (
    <ViewLink view="job" params={{ job_id: job.job_id }} className="link mono" title={job.job_id}>
      {children ?? shortId(job.job_id)}
    </ViewLink>
  );
}

/** Entity progress from live events while running, else what the store kept. */
function entitiesOf(detail: JobDetail, live: JobProgress | null): EntityProgress[] {
  if (live && live.entities.length > 0) return live.entities;
  return detail.progress.map((p) => ({
    entity_type: p.entity_type,
    processed: p.total_processed ?? 0,
    ...(p.total_discovered !== null && { discovered: p.total_discovered, total: p.total_discovered }),
    ...(p.current_page !== null && { current_page: p.current_page }),
    ...(p.items_per_page !== null && { items_per_page: p.items_per_page }),
    ...(p.processing_rate !== null && { rate: p.processing_rate }),
    updated_at: p.updated_at,
  }));
}

function ProgressPanel({ detail, live }: { detail: JobDetail; live: JobProgress | null }) {
  const now = useNow(1_000);
  const job = detail.job;
  const running = LIVE_STATUSES.includes(job.status);
  const liveNow = running && live && (live.state === 'running' || live.state === 'stalled') ? live : null;
  const completion = liveNow?.overall_completion ?? job.overall_completion ?? (job.status === 'completed' ? 1 : null);
  const entities = entitiesOf(detail, running ? live : null);
  const processed = liveNow?.processed ?? entities.reduce((n, e) => n + e.processed, 0);
  const known = entities.filter((e) => e.total !== undefined || e.discovered !== undefined);
  const total = liveNow?.total ?? (known.length > 0 ? known.reduce((n, e) => n + (e.total ?? e.discovered ?? 0), 0) : null);
  const finished = isFinalJobStatus(job.status);
  // The job's own timestamps: a crawler's time_elapsed may count one attempt, or be stale.
  const elapsed = job.started_at !== null ? (finished ? (job.finished_at ?? job.updated_at) : now) - job.started_at : (liveNow?.time_elapsed ?? null);
  const remaining = running ? (liveNow?.eta_ms ?? job.estimated_time_remaining) : null;
  const rate = liveNow?.rate ?? null;
  const disagreement = figuresDisagree(completion, processed, total);
  return (
    <section className="panel" aria-labelledby="progress-title" data-testid="job-progress">
      <h2 id="progress-title">Progress</h2>
      <div className="overall">
        <ProgressBar value={completion} label="Overall completion" size="lg" />
      </div>
      <dl className="stats">
        <div>
          <dt>Processed</dt>
          <dd data-testid="job-processed">
            {formatCount(processed)}
            {total !== null ? ` of ${formatCount(total)}` : ''} items
          </dd>
        </div>
        <div>
          <dt>Rate</dt>
          <dd data-testid="job-rate">{running ? formatRate(rate) : '—'}</dd>
        </div>
        <div>
          <dt>Remaining</dt>
          <dd data-testid="job-eta">{remaining !== null ? `about ${formatDuration(remaining)}` : job.status === 'completed' ? 'done' : '—'}</dd>
        </div>
        <div>
          <dt>{finished ? 'Took' : 'Elapsed'}</dt>
          <dd data-testid="job-elapsed">{formatDuration(elapsed)}</dd>
        </div>
        {finished ? null : (
          <div>
            <dt>Stage</dt>
            <dd data-testid="job-stage">{liveNow?.stage ?? job.stage ?? '—'}</dd>
          </div>
        )}
      </dl>
      {disagreement ? (
        <p className="banner banner-warning" role="note" data-testid="job-figures-warning">
          The crawler’s figures disagree: it reported {formatPercent(completion)} done, but {formatCount(processed)} of {formatCount(total)} items
          is {formatPercent(disagreement.itemsFraction)}. Both are shown as the crawler sent them.
        </p>
      ) : null}
      {(liveNow?.message ?? job.message) ? (
        <p className="last-message" data-testid="job-message">
          <span className="muted">Last message: </span>
          {liveNow?.message ?? job.message}
        </p>
      ) : null}
      {entities.length > 0 ? (
        <ul className="entity-list" aria-label="Progress by entity type">
          {entities.map((e) => {
            const of = e.discovered ?? e.total;
            const fraction = of !== undefined && of > 0 ? Math.min(1, e.processed / of) : of === 0 ? 1 : null;
            return (
              <li key={e.entity_type} className="entity" data-testid="entity-progress" data-entity={e.entity_type}>
                <span className="entity-name">{e.entity_type}</span>
                <ProgressBar value={fraction} label={`${e.entity_type}: processed of discovered`} showText={false} />
                <span className="entity-figures">
                  {formatCount(e.processed)}
                  {of !== undefined ? ` of ${formatCount(of)}` : ''}
                  {e.current_page !== undefined ? <span className="muted"> · page {e.current_page}</span> : null}
                </span>
              </li>
            );
          })}
        </ul>
      ) : (
        <p className="muted">{job.status === 'queued' || job.status === 'assigned' ? 'No progress yet: the job has not started.' : 'The crawler has reported no progress by entity type.'}</p>
      )}
    </section>
  );
}

/** A credential by its label and host (never its id), from the query cache's one list of credentials. */
function CredentialName({ id }: { id: string }) {
  const { credentials, loaded } = useCredentials();
  const c = credentials.find((x) => x.id === id);
  if (c) return <span data-testid="job-credential">{credentialLabel(c)}</span>;
  return <span className="muted" data-testid="job-credential">{loaded ? 'a credential since deleted' : 'loading…'}</span>;
}

function Facts({ job }: { job: JobDto }) {
  const now = useNow(30_000);
  const rows: [string, ReactNode][] = [
    ['Job id', <span className="mono" key="id">{job.job_id}</span>],
    ['Type', job.job_type],
    ['GitLab host', job.gitlab_host || <span className="muted">not known</span>],
    ['Namespace path', job.namespace_path ?? '—'],
    ['Entity', [job.entity_name, job.entity_id && `id ${job.entity_id}`].filter(Boolean).join(' · ') || '—'],
    ['Priority', job.priority],
    ['Attempts', job.attempts],
    ['Origin', job.origin],
    [
      'Crawler',
      job.crawler_id ? (
        <>
          <ViewLink view="crawler" params={{ crawler_id: job.crawler_id }} className="link mono" title="This crawler’s page" data-testid="job-crawler-link">
            {job.crawler_id}
          </ViewLink>{' '}
          <ViewLink view="jobs" params={{ crawler: job.crawler_id }} className="link small">
            its jobs
          </ViewLink>
        </>
      ) : (
        '—'
      ),
    ],
    ['Credential', job.credential_id ? <CredentialName id={job.credential_id} /> : <span className="muted">newest saved for the host</span>],
    ['Created', <span key="c" title={formatFull(job.created_at)}>{formatWhen(job.created_at, now)}</span>],
    ['Started', job.started_at ? <span title={formatFull(job.started_at)}>{formatWhen(job.started_at, now)}</span> : '—'],
    ['Finished', job.finished_at ? <span title={formatFull(job.finished_at)}>{formatWhen(job.finished_at, now)}</span> : '—'],
  ];
  if (job.not_before && job.status === 'queued') rows.push(['Not before', formatFull(job.not_before)]);
  if (job.lease_expires_at && job.status === 'assigned') rows.push(['Lease expires', formatFull(job.lease_expires_at)]);
  return (
    <section className="panel" aria-labelledby="facts-title">
      <h2 id="facts-title">Details</h2>
      <dl className="facts">
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      {/* A finished job shows its outcome (above); an earlier attempt's error stays in the history, not here. */}
      {/* Waiting for a token, the error is why it waits now; otherwise it belongs to an attempt before this one. */}
      {job.last_error && !isFinalJobStatus(job.status) ? (
        <p className={`banner ${job.status === 'waiting_credentials' ? 'banner-error' : 'banner-warning'}`} data-testid="job-last-error">
          <strong>{job.status === 'waiting_credentials' ? 'Last error:' : job.status === 'queued' ? 'The last attempt failed:' : 'An earlier attempt failed:'}</strong>{' '}
          {job.last_error}
        </p>
      ) : null}
    </section>
  );
}

function History({ detail }: { detail: JobDetail }) {
  const entries = timeline(detail.events);
  return (
    <section className="panel" aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      {entries.length === 0 ? (
        <p className="muted">Nothing recorded yet.</p>
      ) : (
        <ol className="timeline" data-testid="job-history">
          {entries.map((e) => (
            <li key={e.id} className={`tl tl-${e.tone}`} data-testid="history-entry" data-kind={e.kind}>
              <time dateTime={new Date(e.at).toISOString()} className="tl-time">
                {formatFull(e.at)}
              </time>
              <span className="tl-title">{e.title}</span>
              {e.transition ? <span className="tl-transition muted"> ({e.transition})</span> : null}
              {e.reason ? <div className="tl-reason">{e.reason}</div> : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function Errors({ detail }: { detail: JobDetail }) {
  return (
    <section className="panel" aria-labelledby="errors-title">
      <h2 id="errors-title">
        Errors <span className="count">{detail.errors.length}</span>
      </h2>
      {detail.errors.length === 0 ? (
        <p className="muted">No error recorded for this job.</p>
      ) : (
        <ul className="error-list" data-testid="job-errors">
          {detail.errors.map((e) => (
            <li key={e.id} className={`error-item severity-${e.severity}`} data-testid="job-error">
              <div>
                <span className={`severity severity-${e.severity}`}>{e.severity}</span> <span className="muted">{e.category}</span>
                {e.code ? <span className="mono muted"> · {e.code}</span> : null}
                <span className="muted"> · {formatFull(e.at)}</span>
                {e.crawler_id ? <span className="muted mono"> · {e.crawler_id}</span> : null}
              </div>
              <div className="error-message">{e.message}</div>
              {e.context && Object.keys(e.context).length > 0 ? (
                <details>
                  <summary>Context</summary>
                  <pre className="context">{JSON.stringify(e.context, null, 2)}</pre>
                </details>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ResumeState({ job }: { job: JobDto }) {
  const r = job.resume_state;
  return (
    <section className="panel" aria-labelledby="resume-title">
      <h2 id="resume-title">Resume state</h2>
      {r ? (
        <>
          <dl className="facts" data-testid="job-resume">
            {Object.entries(r).map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd className="mono">{typeof v === 'object' ? JSON.stringify(v) : String(v)}</dd>
              </div>
            ))}
          </dl>
          <p className="muted" data-testid="job-resume-note">{resumeNote(job)}</p>
        </>
      ) : (
        <p className="muted">
          {job.status === 'completed' ? 'None: the job is finished.' : 'None: the crawler has not reported where it is (a new attempt starts from the beginning).'}
        </p>
      )}
    </section>
  );
}

/** What the resume state means for this job now: a finished job is not resumed by anything. */
function resumeNote(job: JobDto): string {
  if (job.status === 'completed') return 'Where the crawler was when it finished (kept for the record).';
  if (job.status === 'failed' || job.status === 'cancelled') return job.resume ? 'A retry resumes from here.' : 'Kept from the last attempt; a retry starts from the beginning.';
  return job.resume ? 'The next attempt resumes from here.' : 'Kept from the last attempt.';
}

/** How the job ended, in one line: the outcome, never a leftover from an earlier attempt. */
function Outcome({ job }: { job: JobDto }) {
  if (!isFinalJobStatus(job.status)) return null;
  const when = job.finished_at !== null ? formatFull(job.finished_at) : null;
  const on = job.crawler_id ? ` on ${job.crawler_id}` : '';
  // `attempts` counts failed attempts: a completed job's are all earlier ones, a failed job's include its last.
  const earlier = job.status === 'failed' ? job.attempts - 1 : job.attempts;
  const attempts = earlier > 0 ? ` after ${earlier} failed ${earlier === 1 ? 'attempt' : 'attempts'} (their errors are in the history)` : '';
  const tone = job.status === 'completed' ? 'banner-ok' : job.status === 'failed' ? 'banner-error' : 'banner-note';
  return (
    <div className={`banner ${tone}`} role="status" data-testid="job-outcome" data-status={job.status}>
      {job.status === 'completed' ? (
        <>
          <strong>Completed</strong>
          {on}
          {when ? `, ${when}` : ''}
          {attempts}.{job.message ? <span className="muted"> {job.message}</span> : null}
        </>
      ) : job.status === 'failed' ? (
        <>
          <strong>Failed</strong>
          {on}
          {when ? `, ${when}` : ''}
          {attempts}: {job.last_error ?? 'no reason given'}
        </>
      ) : (
        <>
          <strong>Cancelled</strong>
          {when ? `, ${when}` : ''}.
        </>
      )}
    </div>
  );
}

function Related({ detail }: { detail: JobDetail }) {
  const navigate = useNavigate();
  const { parent, children, children_total } = detail;
  return (
    <section className="panel" aria-labelledby="related-title">
      <h2 id="related-title">Parent and child jobs</h2>
      <p data-testid="job-parent">
        <span className="muted">Parent: </span>
        {parent ? (
          <>
            <JobLink job={parent} /> {parent.job_type} <span className="muted">({parent.status})</span>
          </>
        ) : (
          'none'
        )}
      </p>
      {children_total === 0 ? (
        <p className="muted">No child jobs (discovery jobs create one per group, project and user they find).</p>
      ) : (
        <>
          <p>
            {formatCount(children_total)} child {children_total === 1 ? 'job' : 'jobs'}
            {children_total > children.length ? ` (the first ${children.length} below)` : ''} ·{' '}
            <button type="button" className="link" onClick={() => navigate('jobs', { parent_job_id: detail.job.job_id })} data-testid="all-children">
              All in the jobs table
            </button>
          </p>
          <ul className="children" data-testid="job-children">
            {children.map((c) => (
              <li key={c.job_id}>
                <JobLink job={c} /> <StatusBadge status={c.status} /> {c.job_type} <span className="muted">{c.namespace_path ?? c.entity_id ?? ''}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

export function JobDetailScreen() {
  const jobId = useViewParams().job_id;
  const navigate = useNavigate();
  const { detail, error, partial } = useJobDetail(jobId ?? '', jobId ? cachedJob(jobId) : undefined);
  const action = useJobAction(jobId ?? '');
  const busy = action.isPending ? action.variables.kind : null;
  // A result belongs to the job it was for (the page stays mounted from one job to the next).
  const result = action.data?.outcomes[0]?.job_id === jobId ? action.data : null;

  const back = (
    <button type="button" className="link back" onClick={() => navigate('jobs', lastJobsParams())} data-testid="back-to-jobs">
      ← All jobs
    </button>
  );
  if (!jobId) {
    return (
      <section className="view jobs-ui" aria-labelledby="view-title">
        {back}
        <h1 id="view-title">Job</h1>
        <p className="empty">No job chosen. Open one from the jobs table.</p>
      </section>
    );
  }
  if (!detail) {
    return (
      <section className="view jobs-ui" aria-labelledby="view-title">
        {back}
        <h1 id="view-title">
          Job <span className="mono">{shortId(jobId)}</span>
        </h1>
        {error ? (
          <div className="banner banner-error" role="alert" data-testid="job-error-state">
            {error.code === 'not_found' ? `There is no job ${jobId}: it may have been removed by retention.` : `The job could not be loaded: ${error.message}`}
          </div>
        ) : (
          <p className="muted" aria-busy="true">
            Loading…
          </p>
        )}
      </section>
    );
  }
  const job = detail.job;
  const liveForJob = detail.live && detail.live.job_id === job.job_id ? detail.live : null;
  return (
    <section className="view jobs-ui job-view" aria-labelledby="view-title" data-testid="job-detail" data-job-id={job.job_id}>
      {back}
      <h1 id="view-title">
        Job <span className="mono" title={job.job_id}>{shortId(job.job_id)}</span> <StatusBadge status={job.status} />
      </h1>
      <p className="subtitle">
        {job.job_type}
        {job.namespace_path ? ` · ${job.namespace_path}` : job.entity_id ? ` · entity ${job.entity_id}` : ''}
        {job.gitlab_host ? <span className="muted"> on {job.gitlab_host}</span> : null}
      </p>
      <JobScheduleLink jobId={job.job_id} />
      <div className="detail-actions">
        <JobActionButtons
          count={1}
          busy={busy}
          initialPriority={job.priority}
          label="this job"
          onAction={(a) => action.mutate(a)}
          unavailable={{
            ...(isFinalJobStatus(job.status) && { cancel: `The job is already ${job.status}.` }),
            ...(job.status !== 'failed' && job.status !== 'cancelled' && { retry: 'Only failed or cancelled jobs can be retried.' }),
          }}
        />
        <span className="muted hint-inline">
          {isFinalJobStatus(job.status) ? (job.status === 'completed' ? 'Finished.' : 'Retry queues it again (resuming from its last state when it has one).') : 'Cancel stops it on its crawler.'}
        </span>
      </div>
      <Outcome job={job} />
      {result ? <BulkResultPanel result={result} onDismiss={() => action.reset()} /> : null}
      {error ? (
        <div className="banner banner-warning" role="alert">
          Could not refresh: {error.message}
        </div>
      ) : null}
      <div className="detail-grid">
        <ProgressPanel detail={detail} live={liveForJob} />
        <Facts job={job} />
      </div>
      {isFinalJobStatus(job.status) ? <JobResults job={job} /> : null}
      {partial ? (
        <p className="muted" aria-busy="true" data-testid="job-detail-loading">
          Loading the history, errors and related jobs…
        </p>
      ) : (
        <div className="detail-grid">
          <History detail={detail} />
          <div className="detail-column">
            <Errors detail={detail} />
            <ResumeState job={job} />
            <Related detail={detail} />
          </div>
        </div>
      )}
    </section>
  );
}
