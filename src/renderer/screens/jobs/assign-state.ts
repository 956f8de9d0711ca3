/**
 * What the Assign job form chooses from: saved credentials (masked) and the
 * crawlers. Crawler capacity changes with every job that starts or ends, so
 * the list is fetched again (at most once a second) when crawlers connect,
 * leave, or a job changes hands — never on a timer.
 */
import { create } from 'zustand';
import type { CrawlerView, EventBatch } from '../../../shared/contract';
import type { Credential } from '../../../shared/records';
import { api, onBatch, onReconnect } from '../../state/bus';

export interface AssignDataState {
  credentials: Credential[];
  crawlers: CrawlerView[];
  loaded: boolean;
  error: string | null;
}

export const useAssignData = create<AssignDataState>()(() => ({ credentials: [], crawlers: [], loaded: false, error: null }));

const RELOAD_MIN_MS = 1_000;
let timer: ReturnType<typeof setTimeout> | null = null;
let lastAt = 0;

export async function loadAssignData(): Promise<void> {
  lastAt = Date.now();
  try {
    const [{ credentials }, { crawlers }] = await Promise.all([api().listCredentials({}), api().listCrawlers({ include_disconnected: false })]);
    useAssignData.setState({ credentials, crawlers, loaded: true, error: null });
  } catch (error) {
    useAssignData.setState({ loaded: true, error: `Credentials and crawlers could not be loaded: ${(error as Error).message}` });
  }
}

async function loadCrawlers(): Promise<void> {
  lastAt = Date.now();
  try {
    const { crawlers } = await api().listCrawlers({ include_disconnected: false });
    useAssignData.setState({ crawlers });
  } catch {
    // Keep the last list; the next event tries again.
  }
}

function crawlersSoon(): void {
  if (timer !== null) return;
  timer = setTimeout(
    () => {
      timer = null;
      void loadCrawlers();
    },
    Math.max(0, lastAt + RELOAD_MIN_MS - Date.now()),
  );
}

function onEvents(batch: EventBatch): void {
  const relevant = batch.events.some(
    (e) =>
      e.type === 'crawler_connected' ||
      e.type === 'crawler_disconnected' ||
      (e.type === 'crawler_updated' && e.crawler.said_hello) ||
      (e.type === 'job_changed' && e.job.crawler_id !== null),
  );
  if (relevant) crawlersSoon();
}

export function startAssignData(): () => void {
  void loadAssignData();
  const offBatch = onBatch(onEvents);
  const offReconnect = onReconnect(() => void loadAssignData());
  return () => {
    offBatch();
    offReconnect();
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
}

/** A crawler that can take a job now: connected, and holding fewer jobs than its capacity. */
export const hasFreeCapacity = (c: CrawlerView): boolean => c.connection !== null && c.active_jobs < c.capacity;
