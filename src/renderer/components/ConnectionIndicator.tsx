import { useConsole } from '../state/store';

const LABELS = { open: 'Connected', connecting: 'Connecting…', closed: 'Disconnected' } as const;

/** Whether this page is in touch with the console (not whether crawlers are). */
export function ConnectionIndicator() {
  const connection = useConsole((s) => s.connection);
  const reason = useConsole((s) => s.connectionReason);
  const label = connection === 'connecting' && reason === 'reconnecting' ? 'Reconnecting…' : LABELS[connection];
  return (
    <div className={`connection connection-${connection}`} role="status" aria-live="polite" data-testid="connection-status" data-state={connection}>
      <span className="dot" aria-hidden="true" />
      <span>Console: {label}</span>
    </div>
  );
}
