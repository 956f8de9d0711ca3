import { formatPercent } from './format';

/**
 * A native <progress>: accessible as is, and styled by CSS alone (the page's
 * Content-Security-Policy allows no inline style attributes). `null` means the
 * size of the work is not known yet.
 */
export function ProgressBar({ value, label, size = 'small', showText = true }: { value: number | null | undefined; label: string; size?: 'small' | 'large'; showText?: boolean }) {
  const known = value !== null && value !== undefined;
  return (
    <span className={`progress progress-${size}`}>
      {known ? <progress className="bar" value={value} max={1} aria-label={label} /> : <progress className="bar" aria-label={`${label}: not known yet`} />}
      {showText ? <span className="progress-text">{known ? formatPercent(value) : '—'}</span> : null}
    </span>
  );
}
