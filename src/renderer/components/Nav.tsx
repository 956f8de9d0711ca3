import { useRoute, ViewLink } from '../router';
import { NAV_ITEMS } from '../screens';

/** Which navigation item a page belongs to (a job's page to Jobs, a crawler's to Crawlers). */
const SECTION: Partial<Record<string, string>> = { job: 'jobs', crawler: 'crawlers' };

export function Nav() {
  const { view } = useRoute();
  const section = view ? (SECTION[view] ?? view) : null;
  return (
    <nav className="nav" aria-label="Main">
      <ul>
        {NAV_ITEMS.map((item) => (
          <li key={item.view}>
            <ViewLink view={item.view} className="nav-item" aria-current={section === item.view ? 'page' : undefined} data-testid={`nav-${item.view}`}>
              {item.label}
            </ViewLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
