/**
 * The one modal dialog of every screen, on the native <dialog>: showModal() makes
 * the page behind inert and gives Escape and the backdrop. On top of that:
 *
 * - focus is trapped: Tab from the last control goes to the first, Shift+Tab from
 *   the first to the last (the browser would otherwise leave for its own UI);
 * - focus returns to the control that opened the dialog when it closes; when that
 *   control is gone or disabled by then, or disabled just after (the job it
 *   cancelled is cancelling), to the screen's heading, which then reads the new state;
 * - the title names the dialog (aria-labelledby), alertdialog for destructive ones.
 */
import { type KeyboardEvent, type ReactNode, useEffect, useId, useRef } from 'react';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** The controls Tab visits inside `root`, in order. */
export function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => !el.closest('[inert]') && el.getClientRects().length > 0);
}

/** Focuses `el` if it can take focus now; true when it did. */
function tryFocus(el: HTMLElement | null | undefined): boolean {
  if (!el || !el.isConnected || (el as HTMLButtonElement).disabled) return false;
  el.focus();
  return document.activeElement === el;
}

/** Where focus goes when a dialog closes and its opener cannot take it: the screen's heading (focusable by script only). */
function focusHeading(): void {
  const h = document.getElementById('view-title') ?? document.querySelector<HTMLElement>('main h1');
  if (!h) return;
  if (!h.hasAttribute('tabindex')) h.setAttribute('tabindex', '-1');
  h.focus();
}

const nothingFocused = (): boolean => document.activeElement === null || document.activeElement === document.body;

/**
 * Focus back to the opener, else to the heading. The opener may also be
 * disabled a moment after it took focus back (what the dialog confirmed turns
 * busy on a later render, as a query mutation's pending state does): the
 * browser then drops focus to nothing, so it goes on to the heading.
 */
function returnFocus(from: HTMLElement | null): void {
  if (!from || !tryFocus(from)) {
    focusHeading();
    return;
  }
  from.addEventListener(
    'focusout',
    (e) => {
      if (e.relatedTarget !== null || !(from as HTMLButtonElement).disabled) return;
      requestAnimationFrame(() => {
        if (nothingFocused()) focusHeading();
      });
    },
    { once: true },
  );
}

export interface DialogProps {
  /** Shown while true (default); a dialog may also simply be mounted while open. */
  open?: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  testId?: string | undefined;
  /** Asks before something that cannot be undone: alertdialog, and the title in the danger colour. */
  destructive?: boolean;
  /** Scope classes for the controls inside (the dialog sits in the top layer, outside its screen's markup). */
  className?: string;
}

export function Dialog({ open = true, title, onClose, children, testId, destructive = false, className }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const opener = useRef<HTMLElement | null>(null);

  useEffect(() => {
    const d = ref.current;
    if (!d || !open) return;
    opener.current = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
    if (!d.open) d.showModal();
    // The control marked data-autofocus (the safe choice, or the one field) starts with focus; else the browser's first.
    d.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    return () => {
      if (d.open) d.close();
      const from = opener.current;
      // After React has applied the close (a busy button may be enabled again by then).
      requestAnimationFrame(() => {
        if (document.activeElement && document.activeElement !== document.body && !d.contains(document.activeElement)) return;
        returnFocus(from);
      });
    };
  }, [open]);

  const trap = (e: KeyboardEvent<HTMLDialogElement>) => {
    if (e.key !== 'Tab' || !ref.current) return;
    const list = focusables(ref.current);
    if (list.length === 0) {
      e.preventDefault();
      return;
    }
    const first = list[0]!;
    const last = list[list.length - 1]!;
    const at = document.activeElement;
    if (e.shiftKey && (at === first || !ref.current.contains(at))) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (at === last || !ref.current.contains(at))) {
      e.preventDefault();
      first.focus();
    }
  };

  return (
    <dialog
      ref={ref}
      className={['dialog', destructive ? 'dialog-destructive' : '', className ?? ''].filter(Boolean).join(' ')}
      aria-labelledby={titleId}
      role={destructive ? 'alertdialog' : 'dialog'}
      aria-modal="true"
      data-testid={testId}
      onKeyDown={trap}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      {open ? (
        <>
          <h2 id={titleId}>{title}</h2>
          {children}
        </>
      ) : null}
    </dialog>
  );
}
