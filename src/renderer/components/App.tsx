import { useConsole } from '../state/store';
import { ConnectionProblem, TokenStorageBanner } from './Banners';
import { ComingSoon } from './ComingSoon';
import { ConnectionIndicator } from './ConnectionIndicator';
import { CrawlersView } from './CrawlersView';
import { Nav } from './Nav';

function Main() {
  const view = useConsole((s) => s.view);
  switch (view) {
    case 'crawlers':
      return <CrawlersView />;
    case 'overview':
      return <ComingSoon title="Overview" what="totals, aggregate progress and throughput across running jobs." />;
    case 'jobs':
      return <ComingSoon title="Jobs" what="the job list with filters, job details, creating, cancelling and retrying jobs." />;
    case 'errors':
      return <ComingSoon title="Errors" what="recorded errors by category, severity, crawler and job." />;
    case 'settings':
      return <ComingSoon title="Settings" what="the socket configuration and saved GitLab credentials." />;
  }
}

export function App() {
  return (
    <div className="shell">
      <header className="header">
        <span className="brand">Crawl Console</span>
        <ConnectionIndicator />
      </header>
      <Nav />
      <main className="main">
        <ConnectionProblem />
        <TokenStorageBanner />
        <Main />
      </main>
    </div>
  );
}

/** The headless page opened without its token. */
export function NoToken() {
  return (
    <main className="main standalone">
      <h1>Crawl Console</h1>
      <div className="banner banner-error" role="alert" data-testid="no-token">
        This page needs the console’s token. Open the full address that <code>crawl-console serve</code> printed — it ends in{' '}
        <code>#token=…</code>.
      </div>
    </main>
  );
}
