/**
 * Windowing for the jobs grid over a scroll range of any size (the math is in
 * scroll-range.ts): which rows to render and where, and scrolling to an offset
 * or a row. Fixed-height rows only.
 *
 * Why not TanStack Virtual: it takes its scroll range from the element itself
 * (scrollHeight, scrollTop) and reconciles its scroll commands against it, so
 * it can address no more rows than the browser lets an element be tall: about
 * 838,000 rows of 40 px in Chromium. Here the element's scrollTop is only an
 * input: the truth is a virtual offset.
 *
 * Below the cap the virtual offset *is* the scrollTop, and the browser scrolls
 * as always. Above it:
 * - the scrollbar (drag, click, a script's scrollTo) moves the offset
 *   proportionally, so both ends are reachable and the last row ends at the bottom;
 * - the wheel moves the offset by its own delta (a tick scrolls as many rows as
 *   in a small table), and the scrollTop follows;
 * - our own writes are told from the user's by reading the scrollTop back.
 */
import { type RefObject, useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import {
  type RowWindow,
  type ScrollRange,
  clampOffset,
  offsetForScrollTop,
  offsetToShowRow,
  rowTop,
  rowsInView,
  scrollRange,
  scrollTopForOffset,
} from './scroll-range';

export interface ScaledScrollOptions {
  rows: number;
  rowHeight: number;
  /** Height of the sticky header above the rows, inside the scroll element. */
  header: number;
  overscan: number;
  /** The tallest body to lay out (scroll-range's MAX_BODY_HEIGHT unless a test lowers it). */
  cap: number;
  /** The offset to start at (read once, on mount). */
  initialOffset: () => number;
  /** Told every new offset (to remember it for the way back). */
  onOffset?: (offset: number) => void;
}

export interface ScaledScroll {
  range: ScrollRange;
  /** The virtual offset of the viewport's top. */
  offset: number;
  /** The rows in view and the rows to render. */
  rows: RowWindow;
  /** A row's translateY inside the body. */
  rowTop: (index: number) => number;
  /** Scrolls so that the row is fully in view below the header, moving as little as possible. */
  scrollToRow: (index: number) => void;
  scrollToOffset: (offset: number) => void;
}

interface Position {
  offset: number;
  scrollTop: number;
  viewport: number;
}

export function useScaledScroll(ref: RefObject<HTMLElement | null>, options: ScaledScrollOptions): ScaledScroll {
  const { rows, rowHeight, header, overscan, cap } = options;
  const [pos, setPos] = useState<Position>({ offset: 0, scrollTop: 0, viewport: 0 });
  // What the handlers read: the latest geometry and options, the offset, the scrollTop we wrote last.
  const latest = useRef({ rows, rowHeight, header, cap, options, offset: 0, ownTop: Number.NaN });
  useLayoutEffect(() => {
    Object.assign(latest.current, { rows, rowHeight, header, cap, options });
  });

  const rangeOf = useCallback((el: HTMLElement): ScrollRange => {
    const l = latest.current;
    return scrollRange({ rows: l.rows, rowHeight: l.rowHeight, header: l.header, viewport: el.clientHeight, cap: l.cap });
  }, []);

  const publish = useCallback((next: Position, sync: boolean) => {
    latest.current.offset = next.offset;
    latest.current.options.onOffset?.(next.offset);
    const update = () => setPos((p) => (p.offset === next.offset && p.scrollTop === next.scrollTop && p.viewport === next.viewport ? p : next));
    // From a native scroll or wheel listener React would render in a later task, after the browser painted
    // the moved scrollTop with the rows still where they were: render now, as TanStack Virtual does.
    if (sync) flushSync(update);
    else update();
  }, []);

  /** Writes a scaled offset's scrollTop and remembers what the element made of it (it snaps to device pixels). */
  const writeScaled = useCallback((el: HTMLElement, r: ScrollRange, offset: number): number => {
    el.scrollTop = scrollTopForOffset(r, offset);
    latest.current.ownTop = el.scrollTop;
    return latest.current.ownTop;
  }, []);

  const scrollTo = useCallback(
    (target: number, sync: boolean) => {
      const el = ref.current;
      if (!el) return;
      const r = rangeOf(el);
      const offset = clampOffset(r, target);
      // Unscaled, the browser scrolls and its scroll event renders.
      if (!r.scaled) el.scrollTop = offset;
      else publish({ offset, scrollTop: writeScaled(el, r, offset), viewport: r.viewport }, sync);
    },
    [ref, rangeOf, publish, writeScaled],
  );

  /** Re-reads the element after a change of geometry (rows, size), keeping the offset where it can. */
  const settle = useCallback(() => {
    const el = ref.current;
    if (!el) return;
    const r = rangeOf(el);
    if (r.scaled) {
      const offset = clampOffset(r, latest.current.offset);
      publish({ offset, scrollTop: writeScaled(el, r, offset), viewport: r.viewport }, false);
    } else {
      publish({ offset: el.scrollTop, scrollTop: el.scrollTop, viewport: r.viewport }, false);
    }
  }, [ref, rangeOf, publish, writeScaled]);

  // Mount: restore the offset, follow scrolling, the wheel and the element's size.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    latest.current.offset = Math.max(0, latest.current.options.initialOffset());
    if (!rangeOf(el).scaled) el.scrollTop = latest.current.offset;
    settle();

    const onScroll = () => {
      const r = rangeOf(el);
      const top = el.scrollTop;
      // Our own write coming back keeps the exact offset; anything else (the scrollbar, a script) maps proportionally.
      const offset = r.scaled && top === latest.current.ownTop ? latest.current.offset : offsetForScrollTop(r, top);
      if (r.scaled) latest.current.ownTop = top;
      publish({ offset, scrollTop: top, viewport: r.viewport }, true);
    };
    const onWheel = (e: WheelEvent) => {
      if (e.ctrlKey || e.deltaY === 0) return; // zoom, or a sideways scroll: the browser's
      const r = rangeOf(el);
      if (!r.scaled) return;
      e.preventDefault();
      const unit = e.deltaMode === WheelEvent.DOM_DELTA_LINE ? r.rowHeight : e.deltaMode === WheelEvent.DOM_DELTA_PAGE ? r.viewport : 1;
      if (e.deltaX !== 0) el.scrollLeft += e.deltaX * unit;
      scrollTo(latest.current.offset + e.deltaY * unit, true);
    };
    const resized = new ResizeObserver(() => settle());
    el.addEventListener('scroll', onScroll, { passive: true });
    el.addEventListener('wheel', onWheel, { passive: false });
    resized.observe(el);
    return () => {
      el.removeEventListener('scroll', onScroll);
      el.removeEventListener('wheel', onWheel);
      resized.disconnect();
    };
  }, [ref, rangeOf, publish, scrollTo, settle]);

  // The number of rows or the cap changed: the body's height may have, and with it the mapping.
  useLayoutEffect(() => settle(), [rows, rowHeight, header, cap, settle]);

  const range = useMemo(() => scrollRange({ rows, rowHeight, header, viewport: pos.viewport, cap }), [rows, rowHeight, header, pos.viewport, cap]);
  const offset = clampOffset(range, pos.offset);
  return {
    range,
    offset,
    rows: rowsInView(range, offset, overscan),
    rowTop: (index: number) => rowTop(range, index, offset, pos.scrollTop),
    scrollToRow: (index: number) => scrollTo(offsetToShowRow(range, index, latest.current.offset), false),
    scrollToOffset: (to: number) => scrollTo(to, false),
  };
}
