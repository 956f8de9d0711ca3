/**
 * The headless console's token: read from the URL the console printed
 * (`#token=…`, or a view's address with it: `#/jobs?status=failed&token=…`),
 * kept in this tab's session storage, and removed from the address bar so it is
 * not bookmarked, shared in a screenshot or kept in history. The view's own
 * address stays: the page opens on that view.
 */
import { hashWithoutToken } from '../router/address';

export { hashWithoutToken };

/** The session-storage key the tab keeps its token under. */
export const TOKEN_KEY = 'crawl-console.token';
const KEY = TOKEN_KEY;

type TokenWindow = Pick<Window, 'location' | 'history' | 'sessionStorage'>;

const TOKEN_IN_HASH = /(?:^#|[&?])token=([^&]*)/;

function decode(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** A token is non-empty and has no whitespace (what the console accepts). */
const usable = (token: string): boolean => token.length > 0 && !/\s/.test(token);

/** Whether the address bar carries a token (a printed URL opened in this tab). */
export const hashHasToken = (win: Pick<Window, 'location'> = window): boolean => !!TOKEN_IN_HASH.exec(win.location.hash)?.[1];

export function takeToken(win: TokenWindow = window): string | null {
  const match = TOKEN_IN_HASH.exec(win.location.hash);
  if (match?.[1]) {
    win.sessionStorage.setItem(KEY, decode(match[1]));
    win.history.replaceState(null, '', win.location.pathname + win.location.search + hashWithoutToken(win.location.hash));
  }
  return win.sessionStorage.getItem(KEY);
}

/**
 * The token in what a person pasted: the whole printed address (`http://…/#token=…`)
 * or the token alone. Null with nothing usable in it.
 */
export function tokenFromInput(text: string): string | null {
  const trimmed = text.trim();
  const fromUrl = TOKEN_IN_HASH.exec(trimmed.includes('#') ? trimmed.slice(trimmed.indexOf('#')) : '')?.[1];
  const token = fromUrl !== undefined ? decode(fromUrl) : /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? '' : trimmed;
  return usable(token) ? token : null;
}

export function storeToken(token: string, win: Pick<Window, 'sessionStorage'> = window): void {
  win.sessionStorage.setItem(KEY, token);
}

export function forgetToken(win: Pick<Window, 'sessionStorage'> = window): void {
  win.sessionStorage.removeItem(KEY);
}
