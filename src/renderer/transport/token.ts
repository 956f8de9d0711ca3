/**
 * The headless console's token: read once from the URL the console printed
 * (`#token=…`), kept in this tab's session storage, and removed from the
 * address bar so it is not bookmarked, shared in a screenshot or kept in history.
 */
const KEY = 'crawl-console.token';

export function takeToken(win: Pick<Window, 'location' | 'history' | 'sessionStorage'> = window): string | null {
  const match = /(?:^#|&)token=([^&]*)/.exec(win.location.hash);
  if (match?.[1]) {
    let token: string;
    try {
      token = decodeURIComponent(match[1]);
    } catch {
      token = match[1];
    }
    win.sessionStorage.setItem(KEY, token);
    win.history.replaceState(null, '', win.location.pathname + win.location.search);
  }
  return win.sessionStorage.getItem(KEY);
}

export function forgetToken(win: Pick<Window, 'sessionStorage'> = window): void {
  win.sessionStorage.removeItem(KEY);
}
