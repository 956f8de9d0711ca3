import { Fragment } from 'react';
import type { ErrorRecord } from '../../../../shared/records';
import { formatInt, formatShortTime, formatTime } from '../format';
import { formatClock } from '../../../components/format';
import { ViewLink } from '../../../router';

/** One recorded error; expands to its full context. */
export function ErrorTableRow({ error, expanded, onToggle }: { error: ErrorRecord; expanded: boolean; onToggle: () => void }) {
  const detailsId = `error-${error.id}-details`;
  return (
    <Fragment>
      <tr data-testid="error-row" data-error-id={error.id} data-category={error.category} className={expanded ? 'is-open' : undefined}>
        <td>
          <button type="button" className="expander" aria-expanded={expanded} aria-controls={detailsId} onClick={onToggle} aria-label={`${expanded ? 'Hide' : 'Show'} the context of error ${error.id}`} data-testid="error-expand">
            <span aria-hidden="true">{expanded ? '▾' : '▸'}</span>
          </button>
        </td>
        <td className="nowrap">
          <time dateTime={new Date(error.at).toISOString()} title={formatTime(error.at)}>
            {formatShortTime(error.at)}
          </time>
        </td>
        <td>
          <span className={`sev sev-${error.severity}`}>{error.severity}</span>
        </td>
        <td className="nowrap">{error.category.replace(/_/g, ' ')}</td>
        <td className="error-msg-cell" title={error.message}>
          {error.code ? <code className="code-chip">{error.code}</code> : null} {error.message}
          {error.count !== undefined && error.count > 1 ? (
            <span className="count-chip" data-testid="error-count" title={`${error.count} identical errors in this minute${error.last_at ? `, the latest at ${formatClock(error.last_at)}` : ''}`}>
              ×{formatInt(error.count)}
            </span>
          ) : null}
        </td>
        <td className="mono small">
          {error.crawler_id ? (
            <ViewLink view="crawler" params={{ crawler_id: error.crawler_id }} className="link mono">
              {error.crawler_id}
            </ViewLink>
          ) : (
            <span className="muted">—</span>
          )}
        </td>
        <td className="mono small">
          {error.job_id ? (
            <ViewLink view="job" params={{ job_id: error.job_id }} className="link mono" aria-label={`Open job ${error.job_id}`}>
              {error.job_id.length > 12 ? `${error.job_id.slice(0, 12)}…` : error.job_id}
            </ViewLink>
          ) : (
            <span className="muted">—</span>
          )}
        </td>
      </tr>
      {expanded ? (
        <tr className="details-row" id={detailsId}>
          <td />
          <td colSpan={6}>
            <dl className="error-facts">
              <div>
                <dt>Recorded</dt>
                <dd>{formatTime(error.at)}</dd>
              </div>
              <div>
                <dt>Error id</dt>
                <dd className="mono">{error.id}</dd>
              </div>
              {error.job_id ? (
                <div>
                  <dt>Job</dt>
                  <dd className="mono">{error.job_id}</dd>
                </div>
              ) : null}
            </dl>
            <p className="full-message">{error.message}</p>
            <pre className="ops-context" data-testid="error-context">
              {error.context ? JSON.stringify(error.context, null, 2) : 'No context was recorded.'}
            </pre>
          </td>
        </tr>
      ) : null}
    </Fragment>
  );
}
