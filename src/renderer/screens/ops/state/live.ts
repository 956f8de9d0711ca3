/**
 * Wires what the operations screens collect from events themselves to the
 * event stream once, when the app loads: they collect from the first event on
 * (the throughput chart needs the minutes before the Overview is opened;
 * notifications must work on any screen; disconnects are seen once). Server
 * state the screens show is in the query cache (query/live.ts).
 */
import type { EventBatch } from '../../../../shared/contract';
import { onBatch, onReconnect } from '../../../state/bus';
import { useConsole } from '../../../state/store';
import { applyCrawlerEvents } from './crawlers-store';
import { notifyFor } from './notifications';
import { ThroughputWindow, useThroughput } from './throughput';

let started = false;

export function startOpsLive(): void {
  if (started) return;
  started = true;
  const throughput = new ThroughputWindow(Date.now());

  onBatch((batch: EventBatch) => {
    const now = Date.now();
    for (const e of batch.events) {
      if (e.type === 'progress') throughput.progress(e.progress, now);
      else if (e.type === 'crawler_connected' || e.type === 'crawler_updated') throughput.counter(e.crawler, now);
      else if (e.type === 'crawler_disconnected') {
        throughput.counter(e.crawler, now);
        throughput.forget(e.crawler.connection_id);
      }
    }
    applyCrawlerEvents(batch.events);
    notifyFor(batch.events);
  });

  let firstOpen = true;
  onReconnect(() => {
    // Events missed while away are not replayed: the chart starts over (the query cache refetches on its own).
    if (!firstOpen) throughput.restart(Date.now());
    firstOpen = false;
  });

  // The shared store refreshes every crawler's counters now and then (a new `status` object marks it): read them then.
  useConsole.subscribe((s, prev) => {
    if (s.status === prev.status) return;
    const now = Date.now();
    for (const l of Object.values(s.crawlers)) throughput.counter(l.connection, now);
  });

  // The chart moves with the clock even when nothing arrives (a quiet minute is a flat line, not a frozen chart).
  setInterval(() => {
    const now = Date.now();
    const ids = Object.keys(useConsole.getState().crawlers);
    useThroughput.setState({ series: throughput.series(now, throughput.messagesKnownUntil(ids, now)) });
  }, 1_000);
}
