/** A completion bar with its accessible value (0..1; null when unknown). */
export function ProgressBar({ value, label, testId, size = 'md' }: { value: number | null; label: string; testId?: string; size?: 'sm' | 'md' | 'lg' }) {
  const pct = value === null ? null : Math.round(Math.min(1, Math.max(0, value)) * 1000) / 10;
  return (
    <div
      className={`bar bar-${size}${pct === null ? ' bar-unknown' : ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      {...(pct !== null && { 'aria-valuenow': pct })}
      data-testid={testId}
    >
      {/* CSSOM style (not a style attribute in markup), which the page's CSP allows. */}
      <div className="bar-fill" style={{ width: `${pct ?? 0}%` }} />
    </div>
  );
}
