/**
 * The desktop window's security rules in one place: which page may call the
 * core, what it may load, and where links may go.
 */
import { type Session, type WebContents, type WebFrameMain, shell } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../../shared/security';
import { APP_HOST, APP_SCHEME } from './app-protocol';


/** Where the app's own page comes from: the built file, or the dev server under `electron-vite dev`. */
export interface RendererLocation {
  file: string;
  devUrl: string | null;
}

/** True only for the app's own page in a top-level frame (not an iframe, not a page navigated elsewhere). */
export function isTrustedFrame(frame: WebFrameMain | null | undefined, renderer: RendererLocation): boolean {
  if (!frame || frame.parent !== null) return false;
  let url: URL;
  try {
    url = new URL(frame.url);
  } catch {
    return false;
  }
  if (renderer.devUrl) return url.origin === new URL(renderer.devUrl).origin;
  // The built page is served from app://console/ (see app-protocol.ts).
  return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST && url.pathname === '/index.html';
}

/** Opens a link in the user's browser, only for http(s) URLs. */
export function openExternalSafely(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  void shell.openExternal(url.toString());
  return true;
}

export function hardenSession(session: Session): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  // The console needs desktop notifications (job failed for good, crawler lost) and nothing else:
  // no camera, microphone, geolocation, clipboard …
  session.setPermissionRequestHandler((_wc, permission, callback) => callback(permission === 'notifications'));
  session.setPermissionCheckHandler((_wc, permission) => permission === 'notifications');
}

/** No navigation away from the app, no new windows; http(s) links opened as new windows go to the system browser. */
export function hardenWebContents(contents: WebContents): void {
  // The console is one page: it never navigates (links meant for the browser use target=_blank).
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openExternalSafely(url);
    return { action: 'deny' };
  });
}
