import { useConsole } from '../state/store';
import { ConnectionProblem, StorageProblem, TokenStorageBanner } from './Banners';
import { ConnectionIndicator } from './ConnectionIndicator';
import { SCREENS } from '../screens';
import { Nav } from './Nav';
import { DispatchBanner } from '../screens/power';

function Main() {
  const Screen = SCREENS[useConsole((s) => s.view)];
  return <Screen />;
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
        <StorageProblem />
        <TokenStorageBanner />
        <DispatchBanner />
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
