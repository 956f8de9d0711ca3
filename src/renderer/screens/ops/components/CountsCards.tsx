import { JOB_STATUSES, type JobStatus } from '../../../../shared/jobs';
import { formatInt } from '../format';
import { useJobCounts } from '../state/overview-queries';
import { ProgressBar } from './ProgressBar';
import { useNavigate } from '../../../router';

const STATUS_LABELS: Record<JobStatus, string> = {
  queued: 'Queued',
  assigned: 'Assigned',
  running: 'Running',
  waiting_credentials: 'Waiting for credentials',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
};
const ORDER: readonly JobStatus[] = ['queued', 'assigned', 'running', 'waiting_credentials', 'completed', 'failed', 'cancelled'];

export function CrawlerCountsCard({ connected, late, lost, gone, busy, capacity }: { connected: number; late: number; lost: number; gone: number; busy: number; capacity: number }) {
  const navigate = useNavigate();
  return (
    <section className="card span-4" aria-labelledby="cc-title" data-testid="crawler-counts">
      <h2 id="cc-title">Crawlers</h2>
      <dl className="counts">
        <div>
          <dt>Connected</dt>
          <dd data-testid="count-connected">{connected}</dd>
        </div>
        <div className={late > 0 ? 'is-warn' : undefined}>
          <dt>Late</dt>
          <dd data-testid="count-late">{late}</dd>
        </div>
        <div className={lost > 0 ? 'is-bad' : undefined}>
          <dt>Lost</dt>
          <dd data-testid="count-lost">{lost}</dd>
        </div>
        <div>
          <dt>Disconnected</dt>
          <dd data-testid="count-disconnected">{gone}</dd>
        </div>
      </dl>
      {connected > 0 ? (
        <div className="capacity" data-testid="crawler-capacity">
          <span>
            <strong>{busy}</strong> of {capacity} job slots in use
          </span>
          <ProgressBar value={capacity > 0 ? busy / capacity : null} label="Job slots of connected crawlers in use" size="sm" showText={false} />
        </div>
      ) : null}
      <button type="button" className="link" onClick={() => navigate('crawlers')}>
        All crawlers →
      </button>
    </section>
  );
}

export function JobCountsCard() {
  const counts = useJobCounts().data ?? null;
  const navigate = useNavigate();
  const total = counts ? JOB_STATUSES.reduce((n, s) => n + counts[s], 0) : 0;
  return (
    <section className="card span-8" aria-labelledby="jc-title" data-testid="job-counts">
      <h2 id="jc-title">
        Jobs <span className="count">{counts ? `${formatInt(total)} in all` : ''}</span>
      </h2>
      {!counts ? (
        <p className="muted">Loading…</p>
      ) : (
        <ul className="status-counts">
          {ORDER.map((s) => (
            <li key={s}>
              <button
                type="button"
                className={`status-count status-${s}${counts[s] === 0 ? ' is-zero' : ''}`}
                onClick={() => navigate('jobs', { status: s })}
                aria-label={`${STATUS_LABELS[s]}: ${counts[s]}. Open the job list filtered by it`}
                data-testid={`jobs-${s}`}
              >
                <span className="status-count-n">{formatInt(counts[s])}</span>
                <span className="status-count-label">{STATUS_LABELS[s]}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
