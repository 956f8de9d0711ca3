import { type View, useConsole } from '../state/store';

const ITEMS: { view: View; label: string }[] = [
  { view: 'overview', label: 'Overview' },
  { view: 'crawlers', label: 'Crawlers' },
  { view: 'jobs', label: 'Jobs' },
  { view: 'errors', label: 'Errors' },
  { view: 'settings', label: 'Settings' },
];

export function Nav() {
  const view = useConsole((s) => s.view);
  const setView = useConsole((s) => s.setView);
  return (
    <nav className="nav" aria-label="Main">
      <ul>
        {ITEMS.map((item) => (
          <li key={item.view}>
            <button type="button" className="nav-item" aria-current={view === item.view ? 'page' : undefined} onClick={() => setView(item.view)} data-testid={`nav-${item.view}`}>
              {item.label}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
