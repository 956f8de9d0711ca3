/**
 * Desktop notifications for what needs a person: a job that failed for good,
 * a crawler lost, a job waiting for credentials. At most one per job or crawler
 * and kind, and a few a minute at most, so a bad crawl cannot flood the desktop.
 *
 * On by default in the desktop app, off in a browser (where the site must ask
 * permission first); the choice is kept in localStorage.
 */
import { create } from 'zustand';
import type { ConsoleEvent } from '../../../../shared/contract';
import { useConsole } from '../../../state/store';
import { NoticeGate, noticesFor } from './notices';

const STORAGE_KEY = 'crawl-console.notifications';

export type NotificationSupport = 'unsupported' | NotificationPermission;

const support = (): NotificationSupport => (typeof Notification === 'undefined' ? 'unsupported' : Notification.permission);

function storedChoice(): boolean | null {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return v === 'on' ? true : v === 'off' ? false : null;
  } catch {
    return null;
  }
}

interface NotificationsStore {
  /** The person's choice, or null: the default for this door (desktop on, browser off). */
  choice: boolean | null;
  permission: NotificationSupport;
  setEnabled(on: boolean): Promise<void>;
}

export const useNotifications = create<NotificationsStore>()((set) => ({
  choice: storedChoice(),
  permission: support(),
  async setEnabled(on) {
    try {
      localStorage.setItem(STORAGE_KEY, on ? 'on' : 'off');
    } catch {
      // private mode: the choice lasts for this page
    }
    set({ choice: on });
    if (on && typeof Notification !== 'undefined' && Notification.permission === 'default') {
      const permission = await Notification.requestPermission();
      set({ permission });
    } else {
      set({ permission: support() });
    }
  },
}));

export const notificationsEnabled = (choice: boolean | null, transportKind: string | null): boolean => choice ?? transportKind === 'electron';

export function useNotificationsEnabled(): boolean {
  const choice = useNotifications((s) => s.choice);
  const kind = useConsole((s) => s.transportKind);
  return notificationsEnabled(choice, kind);
}

const gate = new NoticeGate();

export function notifyFor(events: readonly ConsoleEvent[]): void {
  const notices = noticesFor(events);
  if (notices.length === 0) return;
  const enabled = notificationsEnabled(useNotifications.getState().choice, useConsole.getState().transportKind);
  if (!enabled || typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const now = Date.now();
  for (const n of notices) {
    const { show, suppressedBefore } = gate.admit(n, now);
    if (!show) continue;
    const more = suppressedBefore > 0 ? ` (+${suppressedBefore} more since the last notification)` : '';
    try {
      new Notification(n.title, { body: n.body + more, tag: n.key });
    } catch {
      // Some browsers allow notifications from service workers only: nothing to do then.
    }
  }
}
