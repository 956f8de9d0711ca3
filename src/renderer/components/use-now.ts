import { useEffect, useState } from 'react';
import { useConsole } from '../state/store';

/**
 * The current time on the console's clock (its timestamps are compared with
 * it), re-rendering every `intervalMs` (ages tick without new data). While the
 * console cannot be reached it stands still at the last moment the page knew
 * the truth: an age that kept ticking would pass for a live one.
 */
export function useNow(intervalMs = 1_000): number {
  const staleSince = useConsole((s) => s.staleSince);
  const offset = useConsole((s) => s.clockOffset);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (staleSince !== null) return undefined;
    const id = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs, staleSince]);
  return (staleSince ?? now) + offset;
}
