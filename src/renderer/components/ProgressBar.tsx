import { formatPercent } from './format';

/**
 * The one progress bar of every screen: a native <progress>, accessible as is
 * (a progressbar with its value), styled by CSS alone (the page's
 * Content-Security-Policy allows no inline style attributes). `null` means the
 * size of the work is not known yet. The text beside it uses the one percent
 * formatter, so the same fraction reads the same everywhere.
 */
export function ProgressBar({
  value,
  label,
  size = 'md',
  showText = true,
  testId,
}: {
  value: number | null | undefined;
  label: string;
  size?: 'sm' | 'md' | 'lg';
  showText?: boolean;
  testId?: string;
}) {
  const known = value !== null && value !== undefined && Number.isFinite(value);
  const v = known ? Math.min(1, Math.max(0, value)) : null;
  return (
    <span className={`progress progress-${size}`}>
      {v !== null ? (
        <progress className="bar" value={v} max={1} aria-label={label} data-testid={testId} />
      ) : (
        <progress className="bar" aria-label={`${label}: not known yet`} data-testid={testId} />
      )}
      {showText ? <span className="progress-text">{v !== null ? formatPercent(v) : '—'}</span> : null}
    </span>
  );
}
