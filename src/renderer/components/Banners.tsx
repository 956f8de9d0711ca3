import { useState } from 'react';
import { useConsole } from '../state/store';
import { formatClock } from './format';
import { TokenEntry } from './TokenEntry';

/**
 * Loud in the desktop app when tokens are not guarded by the OS keychain (a user
 * there expects it); a note in the headless console, whose key file is the
 * documented design.
 */
const DISMISSED_KEY = 'crawl-console.token-storage-notice';

/** The notice, once read, stays away for this kind of storage (a change of storage shows it again). */
function useDismissed(kind: string | undefined): [boolean, () => void] {
  const [dismissed, setDismissed] = useState<string | null>(() => {
    try {
      return globalThis.localStorage?.getItem(DISMISSED_KEY) ?? null;
    } catch {
      return null;
    }
  });
  const dismiss = () => {
    if (!kind) return;
    setDismissed(kind);
    try {
      globalThis.localStorage?.setItem(DISMISSED_KEY, kind);
    } catch {
      // Private mode: dismissed for this page only.
    }
  };
  return [kind !== undefined && dismissed === kind, dismiss];
}

function DismissButton({ onClick }: { onClick: () => void }) {
  return (
    <button type="button" className="banner-dismiss" onClick={onClick} aria-label="Dismiss this notice" data-testid="token-storage-dismiss">
      Dismiss
    </button>
  );
}

export function TokenStorageBanner() {
  const storage = useConsole((s) => s.status?.tokenStorage);
  const kind = useConsole((s) => s.transportKind);
  const [dismissed, dismiss] = useDismissed(storage ? `${kind}:${storage.kind}` : undefined);
  if (!storage || storage.secure || dismissed) return null;
  if (kind === 'electron') {
    return (
      <div className="banner banner-warning banner-dismissable" role="alert" data-testid="token-storage-warning">
        <p>
          <strong>GitLab tokens are not protected by a keychain.</strong> This system offers the app no secret store ({storage.kind}), so
          saved tokens can be read by anyone with access to your user account’s files. Install and unlock a keyring (e.g. GNOME Keyring
          or KWallet) and restart the console.
        </p>
        <DismissButton onClick={dismiss} />
      </div>
    );
  }
  return (
    <div className="banner banner-note banner-dismissable" data-testid="token-storage-note">
      <p>Saved GitLab tokens are encrypted with a key file in the console’s data directory (owner-only), not an OS keychain.</p>
      <DismissButton onClick={dismiss} />
    </div>
  );
}

export function ConnectionProblem() {
  const connection = useConsole((s) => s.connection);
  const reason = useConsole((s) => s.connectionReason);
  const lastError = useConsole((s) => s.lastError);
  if (connection === 'closed' && reason) {
    return (
      <div className="banner banner-error" role="alert" data-testid="connection-refused">
        <p className="banner-title">{reason}</p>
        <TokenEntry />
      </div>
    );
  }
  if (lastError && connection === 'open') {
    return (
      <div className="banner banner-error" role="alert">
        {lastError}
      </div>
    );
  }
  return null;
}

/** The console cannot write its database or its log (a full or read-only disk): said plainly, on every screen. */
export function StorageProblem() {
  const storage = useConsole((s) => s.status?.storage);
  if (!storage || storage.ok) return null;
  return (
    <div className="banner banner-error" role="alert" data-testid="storage-problem">
      {storage.problems.map((p) => (
        <p key={p.part}>{p.message}</p>
      ))}
    </div>
  );
}

/** The console is out of reach: say so, and that what is shown is old. */
export function StaleBanner() {
  const since = useConsole((s) => s.staleSince);
  const connection = useConsole((s) => s.connection);
  if (since === null || connection === 'closed') return null;
  return (
    <div className="banner banner-warning" role="alert" data-testid="stale-banner">
      <strong>The console cannot be reached.</strong> What this page shows is from {formatClock(since)} and is not updating; actions are
      off until it is back. Reconnecting by itself…
    </div>
  );
}
