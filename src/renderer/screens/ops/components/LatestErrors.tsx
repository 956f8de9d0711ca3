import { formatShortTime } from '../format';
import { useLatestErrors } from '../state/overview-queries';
import { useNavigate } from '../../../router';

export function LatestErrors() {
  const q = useLatestErrors();
  const errors = q.data ?? [];
  const loaded = q.isSuccess;
  const navigate = useNavigate();
  return (
    <section className="card span-12" aria-labelledby="le-title" data-testid="latest-errors">
      <h2 id="le-title">Latest errors</h2>
      {!loaded ? (
        <p className="muted">Loading…</p>
      ) : errors.length === 0 ? (
        <p className="muted" data-testid="latest-errors-empty">
          No error recorded. Refused messages, lost crawlers and failed jobs appear here as they happen.
        </p>
      ) : (
        <ul className="ops-errlist">
          {errors.map((e) => (
            <li key={e.id} data-testid="latest-error">
              <time className="muted" dateTime={new Date(e.at).toISOString()}>
                {formatShortTime(e.at)}
              </time>
              <span className={`sev sev-${e.severity}`}>{e.severity}</span>
              <span className="cat">{e.category.replace(/_/g, ' ')}</span>
              <span className="error-msg" title={e.message}>
                {e.message}
              </span>
              {e.crawler_id ? <span className="mono muted">{e.crawler_id}</span> : null}
            </li>
          ))}
        </ul>
      )}
      <button type="button" className="link" onClick={() => navigate('errors')}>
        All errors →
      </button>
    </section>
  );
}
