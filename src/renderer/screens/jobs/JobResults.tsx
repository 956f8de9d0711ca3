/**
 * A finished job's result (issue 15): the final counts per entity type, the
 * output files and summary as its crawler reported them, its duration and
 * runs, and its progress over time. Read through the query cache; a job that
 * finishes again (a retry) marks it stale and it reloads.
 */
import { useQuery } from '@tanstack/react-query';
import type { JobDto } from '../../../shared/jobs';
import type { JobResult } from '../../../shared/power-views';
import { MiniChart, type MiniSeries } from '../../components/MiniChart';
import { api } from '../../state/bus';
import { queryKeys } from '../../query/keys';
import { formatCount, formatDuration, formatFull, formatPercent } from './format';
import '../pages.css';

/** The chart's series: completion (left, 0–100 %) and items processed (right). A first point at the start makes the rise visible. */
function chartData(result: JobResult): { xs: number[]; series: MiniSeries[] } | null {
  const points = result.started_at !== null && result.series.length > 0 && result.series[0]!.at > result.started_at ? [{ at: result.started_at, completion: 0, processed: 0 }, ...result.series] : result.series;
  if (points.length < 2) return null;
  return {
    xs: points.map((p) => p.at / 1000),
    series: [
      { label: 'Completion', side: 'left', color: '--accent', values: points.map((p) => p.completion), format: formatPercent },
      { label: 'Items processed', side: 'right', color: '--ok', values: points.map((p) => p.processed), format: (v) => formatCount(v) },
    ],
  };
}

function Summary({ summary }: { summary: unknown }) {
  if (summary === null || summary === undefined) return <p className="muted">The crawler sent no summary.</p>;
  if (typeof summary !== 'object') return <p data-testid="result-summary">{String(summary)}</p>;
  return (
    <pre className="result-summary" data-testid="result-summary">
      {JSON.stringify(summary, null, 2)}
    </pre>
  );
}

export function JobResults({ job }: { job: JobDto }) {
  const q = useQuery({ queryKey: queryKeys.jobResult(job.job_id), queryFn: () => api().getJobResult({ job_id: job.job_id }) });
  if (q.error) {
    return (
      <section className="panel" aria-labelledby="results-title" data-testid="job-results">
        <h2 id="results-title">Result</h2>
        <div className="banner banner-error" role="alert">
          The result could not be loaded: {q.error.message}
        </div>
      </section>
    );
  }
  const r = q.data;
  if (!r) {
    return (
      <section className="panel" aria-labelledby="results-title" data-testid="job-results" aria-busy="true">
        <h2 id="results-title">Result</h2>
        <p className="muted">Loading…</p>
      </section>
    );
  }
  const counts = r.final_counts ? Object.entries(r.final_counts).sort(([a], [b]) => a.localeCompare(b)) : [];
  const total = counts.reduce((n, [, v]) => n + v, 0);
  const chart = chartData(r);
  const runs = r.attempts === 0 ? 'never started' : r.attempts === 1 ? '1 (no retry)' : `${r.attempts} (${r.attempts - 1} ${r.attempts === 2 ? 'retry' : 'retries'})`;
  const facts: [string, string, string?][] = [
    ['Duration', r.duration_ms === null ? '—' : formatDuration(r.duration_ms), 'result-duration'],
    ['Runs', runs, 'result-attempts'],
    ['Started', formatFull(r.started_at)],
    ['Finished', formatFull(r.finished_at)],
    ...(r.message ? [['Message', r.message] as [string, string]] : []),
  ];
  return (
    <section className="panel job-results" aria-labelledby="results-title" data-testid="job-results">
      <h2 id="results-title">
        Result <span className="count">{job.status === 'completed' ? 'as the crawler reported it' : `the job ${job.status}`}</span>
      </h2>
      <dl className="facts result-facts">
        {facts.map(([k, v, testId]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd data-testid={testId}>{v}</dd>
          </div>
        ))}
      </dl>
      <div className="result-grid">
        <div>
          <h3>{job.status === 'completed' ? 'Final counts' : 'Counts so far'}</h3>
          {counts.length === 0 ? (
            <p className="muted">The crawler reported no counts.</p>
          ) : (
            <table className="result-counts" data-testid="result-counts">
              <thead>
                <tr>
                  <th scope="col">Entity type</th>
                  <th scope="col" className="num">
                    Items
                  </th>
                </tr>
              </thead>
              <tbody>
                {counts.map(([type, n]) => (
                  <tr key={type} data-entity-type={type}>
                    <th scope="row">{type}</th>
                    <td className="num">{formatCount(n)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">Total</th>
                  <td className="num" data-testid="result-total">
                    {formatCount(total)}
                  </td>
                </tr>
              </tfoot>
            </table>
          )}
        </div>
        <div>
          <h3>
            Output files{r.output_files_total > r.output_files.length ? ` (the first ${formatCount(r.output_files.length)} of ${formatCount(r.output_files_total)})` : ''}
          </h3>
          {r.output_files.length === 0 ? (
            <p className="muted">The crawler listed no output files.</p>
          ) : (
            <ul className="result-files mono" data-testid="result-files">
              {r.output_files.map((f) => (
                <li key={f}>{f}</li>
              ))}
            </ul>
          )}
        </div>
      </div>
      <h3>Summary</h3>
      <Summary summary={r.summary} />
      <h3>Progress over time</h3>
      {chart ? (
        <MiniChart xs={chart.xs} series={chart.series} label={`Progress of the job from ${formatFull(r.started_at)} to ${formatFull(r.finished_at)}`} testId="result-chart" />
      ) : (
        <p className="muted" data-testid="result-chart-empty">
          No progress was reported while it ran.
        </p>
      )}
    </section>
  );
}
