import type { ReactNode } from 'react';
import { useConsole } from '../../../state/store';
import { formatInt } from '../format';

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

const plural = (n: number, one: string, many = `${one}s`) => `${formatInt(n)} ${n === 1 ? one : many}`;

function CrawlersCheck({ connected, late, lost, queued }: { connected: number; late: number; lost: number; queued: number | null }) {
  if (connected === 0) {
    // Nobody to hear from is not health: with work waiting it is the first thing to fix.
    return (
      <Check ok={false} warn label="No crawler connected" testId="health-crawlers">
        {queued ? `${plural(queued, 'job')} queued, waiting for a crawler.` : 'Nothing is queued either.'}
      </Check>
    );
  }
  const silent = late + lost;
  return (
    <Check ok={silent === 0} warn={lost === 0} label={silent === 0 ? 'Crawlers heard from' : `${plural(silent, 'crawler')} silent`} testId="health-crawlers">
      {silent === 0
        ? `all ${plural(connected, 'connected crawler')} within the heartbeat limits`
        : `${late} late, ${lost} lost, of ${plural(connected, 'connected crawler')}`}
    </Check>
  );
}

/** The console's health at a glance: listening, crawlers heard from, refused connections, tokens protected. */
export function HealthCard({ late, lost, connected, queued }: { late: number; lost: number; connected: number; queued: number | null }) {
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
          <CrawlersCheck connected={connected} late={late} lost={lost} queued={queued} />
          <Check
            ok={status.refused.server_full + status.refused.auth_failed === 0}
            label={
              status.refused.server_full + status.refused.auth_failed === 0
                ? 'No connections refused'
                : `${plural(status.refused.server_full + status.refused.auth_failed, 'connection')} refused`
            }
            testId="health-refused"
          >
            {status.refused.server_full > 0 ? `${status.refused.server_full} over the limit of ${plural(status.config.maxConnections, 'connection')}` : null}
            {status.refused.server_full > 0 && status.refused.auth_failed > 0 ? '; ' : null}
            {status.refused.auth_failed > 0 ? `${status.refused.auth_failed} with a missing or wrong auth token` : null}
            {status.refused.server_full + status.refused.auth_failed === 0
              ? `limit ${plural(status.config.maxConnections, 'connection')}`
              : ' (since the console started; see Errors)'}
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
