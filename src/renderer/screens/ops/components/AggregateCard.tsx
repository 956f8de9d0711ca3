import { formatDuration, formatInt, formatPercent, formatRate } from '../format';
import { useAggregate } from '../state/overview-queries';
import { ProgressBar } from './ProgressBar';
import { useNavigate } from '../../../router';

/** Progress across the running jobs (the seed's getAggregateProgress), live from `aggregate` events. */
export function AggregateCard() {
  const q = useAggregate();
  const aggregate = q.data ?? null;
  const loaded = q.isSuccess;
  const navigate = useNavigate();
  return (
    <section className="card span-8" aria-labelledby="agg-title" data-testid="aggregate">
      <h2 id="agg-title">Progress of running jobs</h2>
      {!loaded ? (
        <p className="muted">Loading…</p>
      ) : !aggregate ? (
        <div className="card-empty" data-testid="aggregate-idle">
          <p>No job is running.</p>
          <p className="muted">
            Queue a job from <button type="button" className="link" onClick={() => navigate('assign')}>Assign job</button>; a connected crawler with free capacity picks it up.
          </p>
        </div>
      ) : (
        <>
          <div className="agg-head">
            <span className="agg-pct" data-testid="aggregate-percent">
              {formatPercent(aggregate.overall_completion)}
            </span>
            <ProgressBar value={aggregate.overall_completion} label="Overall completion of running jobs" testId="aggregate-bar" size="lg" showText={false} />
          </div>
          <dl className="ops-stats">
            <div>
              <dt>Items processed</dt>
              <dd data-testid="aggregate-processed">
                {formatInt(aggregate.total_processed)}
                {aggregate.total_items !== null ? <span className="muted"> of {formatInt(aggregate.total_items)}</span> : null}
              </dd>
            </div>
            <div>
              <dt title="The sum of the rates the running jobs' crawlers report">Reported rate</dt>
              <dd data-testid="aggregate-rate">{formatRate(aggregate.rate)}</dd>
            </div>
            <div>
              <dt>Time remaining</dt>
              <dd data-testid="aggregate-eta">{aggregate.eta_ms === null ? <span className="muted">unknown yet</span> : formatDuration(aggregate.eta_ms)}</dd>
            </div>
            <div>
              <dt>Running jobs</dt>
              <dd>
                {aggregate.active_jobs}
                {aggregate.stalled_jobs > 0 ? <span className="warn-text"> ({aggregate.stalled_jobs} stalled)</span> : null}
              </dd>
            </div>
          </dl>
          {Object.keys(aggregate.jobs_by_stage).length > 0 ? (
            <ul className="ops-chips" aria-label="Running jobs by stage">
              {Object.entries(aggregate.jobs_by_stage).map(([stage, n]) => (
                <li key={stage} className="ops-chip">
                  {stage === 'unknown' ? 'no stage reported' : stage} <strong>{n}</strong>
                </li>
              ))}
            </ul>
          ) : null}
        </>
      )}
    </section>
  );
}
