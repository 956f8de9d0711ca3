/**
 * The renderer's entry: picks the transport (the preload bridge in the desktop
 * app, HTTP + SSE in a browser) and renders the console.
 */
import { StrictMode } from 'react';
import { QueryClientProvider } from '@tanstack/react-query';
import { createRoot } from 'react-dom/client';
import './styles.css';
import { App, NoToken } from './components/App';
import { bindTransport } from './state/store';
import { createBridgeTransport } from './transport/bridge';
import { createHttpTransport } from './transport/http';
import { TOKEN_KEY, hashHasToken, takeToken } from './transport/token';
import type { ConsoleTransport } from './transport/types';
import { queryClient } from './query/client';
import { bindQueryCache } from './query/live';

const rootElement = document.getElementById('root');
if (!rootElement) throw new Error('index.html has no #root element');
const root = createRoot(rootElement);

function chooseTransport(): ConsoleTransport | null {
  if (window.crawlConsole) return createBridgeTransport(window.crawlConsole);
  const token = takeToken();
  return token ? createHttpTransport(token) : null;
}

// A printed address opened in a tab that already shows the console changes only the
// fragment, which reloads nothing: take the new token and start over with it.
window.addEventListener('hashchange', () => {
  if (!window.crawlConsole && hashHasToken()) {
    // A newly printed address in this tab: reload with its token. The same token again needs no reload.
    const before = window.sessionStorage.getItem(TOKEN_KEY);
    if (takeToken() !== before) window.location.reload();
  }
});

const transport = chooseTransport();
if (transport) {
  bindTransport(transport);
  bindQueryCache(queryClient);
  root.render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </StrictMode>,
  );
} else {
  root.render(<NoToken />);
}
