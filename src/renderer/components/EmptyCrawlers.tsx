import { useConsole } from '../state/store';

/** No crawler yet: tell the person exactly how to point one at this console. */
export function EmptyCrawlers() {
  const status = useConsole((s) => s.status);
  const socketPath = status?.socketPath ?? '…';
  return (
    <div className="empty" data-testid="crawlers-empty">
      <h2>No crawler is connected</h2>
      <p>
        Crawlers connect to this console’s Unix socket. Start a crawler with its socket path set to:
      </p>
      <pre className="mono" data-testid="socket-path">
        {socketPath}
      </pre>
      <p>
        For the GitLab crawler, set <code>SOCKET_PATH={socketPath}</code> in its environment.
        {status?.tcp ? (
          <>
            {' '}
            Remote crawlers can use TCP at{' '}
            <code>
              {status.tcp.host}:{status.tcp.port}
            </code>{' '}
            with the console’s auth token.
          </>
        ) : null}{' '}
        It appears here as soon as it connects.
      </p>
    </div>
  );
}
