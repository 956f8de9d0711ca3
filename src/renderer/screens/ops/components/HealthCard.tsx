import type { ReactNode } from 'react';
import { useConsole } from '../../../state/store';

function Check({ ok, warn, label, children, testId }: { ok: boolean; warn?: boolean; label: string; children: ReactNode; testId: string }) {
  const tone = ok ? 'ok' : warn ? 'warn' : 'bad';
  return (
    <li className={`health health-${tone}`} data-testid={testId} data-ok={ok}>
      <span className="health-mark" aria-hidden="true">
        {ok ? '✓' : '!'}
      </span>
      <span>
        <span className="sr-only">{ok ? 'OK: ' : 'Attention: '}</span>
        <strong>{label}</strong> <span className="health-detail">{children}</span>
      </span>
    </li>
  );
}

/** The console's health at a glance: listening, crawlers heard from, tokens protected. */
export function HealthCard({ late, lost }: { late: number; lost: number }) {
  const status = useConsole((s) => s.status);
  const connection = useConsole((s) => s.connection);
  const kind = useConsole((s) => s.transportKind);
  return (
    <section className="card span-4" aria-labelledby="health-title" data-testid="health">
      <h2 id="health-title">Health</h2>
      {!status ? (
        <p className="muted">{connection === 'open' ? 'Loading…' : 'Waiting for the console…'}</p>
      ) : (
        <ul className="health-list">
          <Check ok={status.isRunning} label={status.isRunning ? 'Socket listening' : 'Socket not listening'} testId="health-socket">
            <code className="wrap" data-testid="health-socket-path">
              {status.socketPath}
            </code>
            {status.tcp ? (
              <>
                {' '}
                and TCP{' '}
                <code>
                  {status.tcp.host}:{status.tcp.port}
                </code>
              </>
            ) : null}
          </Check>
          <Check ok={late === 0 && lost === 0} warn={lost === 0} label={late + lost === 0 ? 'Crawlers heard from' : `${late + lost} crawler${late + lost === 1 ? '' : 's'} silent`} testId="health-crawlers">
            {late + lost === 0 ? 'every connected crawler sent a heartbeat recently' : `${late} late, ${lost} lost (no heartbeat for 1.5× the interval / past the timeout)`}
          </Check>
          <Check ok={status.tokenStorage.secure} warn label={status.tokenStorage.secure ? 'Tokens protected' : 'Tokens not in a keychain'} testId="health-tokens">
            {status.tokenStorage.secure
              ? `GitLab tokens are encrypted (${status.tokenStorage.kind}).`
              : kind === 'electron'
                ? `No OS keychain (${status.tokenStorage.kind}): install and unlock one, then restart.`
                : `Encrypted with a key file in the data directory (${status.tokenStorage.kind}).`}
          </Check>
        </ul>
      )}
    </section>
  );
}
