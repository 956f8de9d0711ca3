import { useConsole } from '../state/store';
import { ConnectionProblem, StaleBanner, StorageProblem, TokenStorageBanner } from './Banners';
import { TokenEntry } from './TokenEntry';
import { ConnectionIndicator } from './ConnectionIndicator';
import { SCREENS } from '../screens';
import { Nav } from './Nav';
import { DispatchBanner } from '../screens/power';

function Main() {
  const Screen = SCREENS[useConsole((s) => s.view)];
  return <Screen />;
}

export function App() {
  const stale = useConsole((s) => s.staleSince !== null);
  return (
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
