import { useConsole } from '../state/store';
import { NAV_ITEMS } from '../screens';

export function Nav() {
  const view = useConsole((s) => s.view);
  const setView = useConsole((s) => s.setView);
  return (
    <nav className="nav" aria-label="Main">
      <ul>
        {NAV_ITEMS.map((item) => (
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
