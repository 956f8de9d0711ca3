/**
 * The console's one window: sandboxed, isolated, no Node, the app's own page
 * only (navigation and window.open rules are set for every webContents in app.ts).
 */
import { BrowserWindow } from 'electron';
import type { RendererLocation } from './security';
import { APP_ENTRY } from './app-protocol';

export function createMainWindow(renderer: RendererLocation, preload: string): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Crawl Console',
    autoHideMenuBar: true,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  if (renderer.devUrl) void window.loadURL(renderer.devUrl);
  else void window.loadURL(APP_ENTRY);
  return window;
}
