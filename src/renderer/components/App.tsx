import { useConsole } from '../state/store';
import { ConnectionProblem, StaleBanner, StorageProblem, TokenStorageBanner } from './Banners';
import { TokenEntry } from './TokenEntry';
import { ConnectionIndicator } from './ConnectionIndicator';
import { SCREENS } from '../screens';
import { Nav } from './Nav';
import { DispatchBanner } from '../screens/power';
import { AppRouter, useRoute, ViewLink } from '../router';

function Main() {
  const { view, params } = useRoute();
  if (view === null) return <NotFound />;
  const Screen = SCREENS[view];
  // One page per job or crawler: another id is another page, its state starts afresh.
  return <Screen key={view === 'job' ? `job:${params.job_id}` : view === 'crawler' ? `crawler:${params.crawler_id}` : view} />;
}

/** An address the console does not know (a mistyped or outdated link). */
function NotFound() {
  return (
    <section className="view" aria-labelledby="view-title" data-testid="not-found">
      <h1 id="view-title">No such page</h1>
      <p>
        This address (<code>{window.location.hash}</code>) names no screen of the console. Go to the <ViewLink view="overview">Overview</ViewLink>.
      </p>
    </section>
  );
}

export function App() {
  const stale = useConsole((s) => s.staleSince !== null);
  return (
    <AppRouter>
    <div className="shell">
      <header className="header">
        <span className="brand">Crawl Console</span>
        <ConnectionIndicator />
      </header>
      <Nav />
      <main className="main" data-stale={stale || undefined} data-testid="main">
        <ConnectionProblem />
        <StaleBanner />
        <StorageProblem />
        <TokenStorageBanner />
        <DispatchBanner />
        {/* While the console is out of reach every control in the screen is off: a disabled fieldset does that for all of them. */}
        <fieldset className="stale-guard" disabled={stale}>
          <Main />
        </fieldset>
      </main>
    </div>
    </AppRouter>
  );
}

/** The headless page opened without its token. */
export function NoToken() {
  return (
    <main className="main standalone">
      <h1>Crawl Console</h1>
      <div className="banner banner-note" data-testid="no-token">
        This page needs the console’s token. Open the full address that <code>crawl-console serve</code> printed (it ends in{' '}
        <code>#token=…</code>), or paste it here.
      </div>
      <TokenEntry />
    </main>
  );
}
