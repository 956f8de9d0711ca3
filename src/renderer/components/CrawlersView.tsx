import { useMemo } from 'react';
import { sortedCrawlers } from '../state/crawlers';
import { useConsole } from '../state/store';
import { CrawlerRow } from './CrawlerRow';
import { EmptyCrawlers } from './EmptyCrawlers';
import { useNow } from './use-now';

export function CrawlersView() {
  const map = useConsole((s) => s.crawlers);
  const loaded = useConsole((s) => s.crawlersLoaded);
  const crawlers = useMemo(() => sortedCrawlers(map), [map]);
  const now = useNow(1_000);
  return (
    <section className="view" aria-labelledby="view-title">
      <h1 id="view-title">
        Crawlers <span className="count" data-testid="crawler-count">{crawlers.length} connected</span>
      </h1>
      {!loaded ? (
        <p className="muted">Loading…</p>
      ) : crawlers.length === 0 ? (
        <EmptyCrawlers />
      ) : (
        <table className="table" data-testid="crawler-table">
          <caption className="sr-only">Connected crawlers</caption>
          <thead>
            <tr>
              <th scope="col">ID</th>
              <th scope="col">Name</th>
              <th scope="col">State</th>
              <th scope="col">Spelling</th>
              <th scope="col">Transport</th>
              <th scope="col">Last heard</th>
              <th scope="col" className="num">
                Messages
              </th>
            </tr>
          </thead>
          <tbody>
            {crawlers.map((c) => (
              <CrawlerRow key={c.connection.connection_id} crawler={c} now={now} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
