/**
 * The browser transport of the headless console: commands as `POST
 * /api/<command>` with the bearer token, events from an EventSource on
 * `/api/events` (which cannot send headers, hence `?token=`), reconnected
 * after drops.
 */
import { ApiError, COMMAND_NAMES, type ConsoleApi, type EventBatch, type ExportRequest, type ExportSaved } from '../../shared/contract';
import type { ConnectionStatus, ConsoleTransport } from './types';

// Short enough that a restarted console is found again within seconds, long enough not to hammer a dead one.
const MAX_RETRY_MS = 8_000;

async function post(name: string, token: string, input: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`api/${name}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(input ?? {}),
      cache: 'no-store',
    });
  } catch {
    throw new ApiError('unavailable', 'The console cannot be reached: is crawl-console serve still running?');
  }
  const body: unknown = await res.json().catch(() => null);
  if (res.ok) return body;
  const error = (body as { error?: unknown } | null)?.error;
  throw error ? ApiError.from(error) : new ApiError('internal', `The console answered ${res.status} ${res.statusText}.`);
}

/**
 * An export as a browser download: the console gives a one-time address, and
 * an <a download> on it lets the browser stream the file to disk (a fetch
 * would hold the whole file in the page).
 */
async function downloadExport(token: string, request: ExportRequest): Promise<ExportSaved> {
  const { url } = (await post(`export/${request.kind}`, token, request.input)) as { url: string };
  const a = document.createElement('a');
  a.href = url;
  a.download = '';
  a.rel = 'noopener';
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  return { filename: null, count: null };
}

export function createHttpTransport(token: string): ConsoleTransport {
  const api = Object.fromEntries(COMMAND_NAMES.map((name) => [name, (input: unknown) => post(name, token, input)])) as ConsoleApi;

  const eventListeners = new Set<(batch: EventBatch) => void>();
  const statusListeners = new Set<(status: ConnectionStatus, reason?: string) => void>();
  let status: ConnectionStatus = 'connecting';
  let reason: string | undefined;
  let source: EventSource | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let retryMs = 1_000;
  let closed = false;

  const setStatus = (next: ConnectionStatus, why?: string) => {
    if (next === status && why === reason) return;
    status = next;
    reason = why;
    for (const l of statusListeners) l(next, why);
  };

  const retryLater = () => {
    if (closed || retryTimer !== null) return;
    setStatus('connecting', 'reconnecting');
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect();
    }, retryMs);
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  };

  /** The stream was refused or dropped for good: find out whether the token is the reason. */
  const diagnose = async () => {
    try {
      await api.getStatus({});
      retryLater();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'unauthorized') {
        setStatus('closed', 'The console refused this page’s token: it was restarted with another token, or the token was rotated.');
      } else {
        retryLater();
      }
    }
  };

  function connect(): void {
    if (closed) return;
    source?.close();
    const es = new EventSource(`api/events?token=${encodeURIComponent(token)}`);
    source = es;
    es.onopen = () => {
      retryMs = 1_000;
      setStatus('open');
    };
    es.addEventListener('batch', (e) => {
      const batch = JSON.parse((e as MessageEvent<string>).data) as EventBatch;
      for (const l of eventListeners) l(batch);
    });
    es.onerror = () => {
      if (closed || source !== es) return;
      if (es.readyState === EventSource.CONNECTING) {
        setStatus('connecting', 'reconnecting'); // the browser retries by itself
      } else {
        es.close();
        void diagnose();
      }
    };
  }

  connect();

  return {
    kind: 'http',
    api,
    download: (request) => downloadExport(token, request),
    onEvents(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onStatus(listener) {
      statusListeners.add(listener);
      listener(status, reason);
      return () => statusListeners.delete(listener);
    },
    close() {
      closed = true;
      if (retryTimer !== null) clearTimeout(retryTimer);
      source?.close();
    },
  };
}
