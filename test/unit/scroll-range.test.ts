/**
 * The jobs grid's scroll geometry (scroll-range.ts): below the cap scrollTop is
 * the offset, as the browser scrolls; above it a capped body maps
 * proportionally onto the full-size offset, so every row of a million is
 * reachable and the last one ends at the viewport's bottom.
 */
import { describe, expect, it } from 'vitest';
import {
  MAX_BODY_HEIGHT,
  MIN_BODY_HEIGHT,
  type ScrollRange,
  capFrom,
  clampOffset,
  offsetForScrollTop,
  offsetToShowRow,
  rowTop,
  rowsInView,
  scrollRange,
  scrollTopForOffset,
} from '../../src/renderer/screens/jobs/scroll-range';

const ROW = 40;
const HEADER = 38;
const VIEWPORT = 600;
const range = (rows: number, cap?: number, viewport = VIEWPORT): ScrollRange => scrollRange({ rows, rowHeight: ROW, header: HEADER, viewport, ...(cap !== undefined && { cap }) });

/** Where a row is on screen (px below the viewport's top) with the element at `scrollTop`, the way the grid places it. */
function onScreen(r: ScrollRange, index: number, scrollTop: number, offset = offsetForScrollTop(r, scrollTop)): { top: number; bottom: number } {
  // body starts `header` below the content's top; the viewport shows content from scrollTop
  const top = HEADER + rowTop(r, index, offset, scrollTop) - scrollTop;
  return { top, bottom: top + ROW };
}

describe('a table below the cap', () => {
  const r = range(10_000);

  it('lays out every row at full size and scrolls 1:1, as the browser does', () => {
    expect(r.scaled).toBe(false);
    expect(r.bodyHeight).toBe(10_000 * ROW);
    expect(r.maxOffset).toBe(HEADER + 10_000 * ROW - VIEWPORT);
    expect(r.maxScrollTop).toBe(r.maxOffset);
    for (const top of [0, 1, 17.5, 12_345, r.maxOffset]) {
      expect(offsetForScrollTop(r, top)).toBe(top);
      expect(scrollTopForOffset(r, top)).toBe(top);
    }
    expect(rowTop(r, 0, 5_000, 5_000)).toBe(0);
    expect(rowTop(r, 123, 5_000, 5_000)).toBe(123 * ROW);
  });

  it('is unscaled right up to the cap, scaled one row past it', () => {
    const cap = 400_000;
    expect(range(cap / ROW, cap).scaled).toBe(false);
    expect(range(cap / ROW + 1, cap).scaled).toBe(true);
    expect(range(cap / ROW + 1, cap).bodyHeight).toBe(cap);
  });

  it('shows the rows under the viewport, counted as TanStack Virtual counts them, plus the overscan', () => {
    expect(rowsInView(r, 0, 6)).toEqual({ firstVisible: 0, lastVisible: 14, first: 0, last: 20 });
    // 38 px of header, then 14.05 rows: rows 0..14 touch the viewport
    expect(rowsInView(r, 4_000, 6)).toEqual({ firstVisible: 99, lastVisible: 114, first: 93, last: 120 });
    expect(rowsInView(r, r.maxOffset, 6)).toMatchObject({ lastVisible: 9_999, last: 9_999 });
    expect(rowsInView(range(0), 0, 6)).toEqual({ firstVisible: -1, lastVisible: -1, first: -1, last: -1 });
    expect(rowsInView(range(3), 0, 6)).toEqual({ firstVisible: 0, lastVisible: 2, first: 0, last: 2 });
  });
});

describe('a million rows (scaled)', () => {
  const rows = 1_000_000;
  const r = range(rows);

  it('caps the body under every browser’s element height limit', () => {
    expect(r.scaled).toBe(true);
    expect(r.bodyHeight).toBe(MAX_BODY_HEIGHT);
    expect(MAX_BODY_HEIGHT).toBeLessThan(17_895_697); // Firefox's limit; Chromium's is 33,554,428
    expect(r.maxScrollTop).toBe(HEADER + MAX_BODY_HEIGHT - VIEWPORT);
    expect(r.maxOffset).toBe(HEADER + rows * ROW - VIEWPORT);
  });

  it('maps both ends onto both ends, and the last row ends exactly at the viewport’s bottom', () => {
    expect(offsetForScrollTop(r, 0)).toBe(0);
    expect(offsetForScrollTop(r, r.maxScrollTop)).toBe(r.maxOffset);
    expect(scrollTopForOffset(r, r.maxOffset)).toBe(r.maxScrollTop);
    expect(rowsInView(r, r.maxOffset, 6)).toMatchObject({ lastVisible: rows - 1, last: rows - 1 });
    expect(onScreen(r, rows - 1, r.maxScrollTop).bottom).toBe(VIEWPORT);
    expect(onScreen(r, rows - 1, r.maxScrollTop).top).toBe(VIEWPORT - ROW);
    // ...and inside the body, so it neither overflows nor is clipped
    expect(rowTop(r, rows - 1, r.maxOffset, r.maxScrollTop) + ROW).toBe(r.bodyHeight);
    // At the top: row 0 right under the header.
    expect(onScreen(r, 0, 0).top).toBe(HEADER);
  });

  it('clamps what lies outside the range', () => {
    expect(offsetForScrollTop(r, -50)).toBe(0);
    expect(offsetForScrollTop(r, r.maxScrollTop + 1_000)).toBe(r.maxOffset);
    expect(scrollTopForOffset(r, -1)).toBe(0);
    expect(scrollTopForOffset(r, r.maxOffset * 2)).toBe(r.maxScrollTop);
    expect(clampOffset(r, 1e12)).toBe(r.maxOffset);
  });

  it('is monotone both ways', () => {
    let prevOffset = -1;
    for (let top = 0; top <= r.maxScrollTop; top += 9_973) {
      const offset = offsetForScrollTop(r, top);
      expect(offset).toBeGreaterThan(prevOffset);
      prevOffset = offset;
    }
    let prevTop = -1;
    for (let offset = 0; offset <= r.maxOffset; offset += 49_999) {
      const top = scrollTopForOffset(r, offset);
      expect(top).toBeGreaterThan(prevTop);
      prevTop = top;
    }
  });

  it('round-trips: offset → scrollTop → offset, and scrollTop → offset → scrollTop', () => {
    for (const offset of [0, 1, 40, 123_456.5, 20_000_000, r.maxOffset - 1, r.maxOffset]) {
      expect(offsetForScrollTop(r, scrollTopForOffset(r, offset))).toBeCloseTo(offset, 6);
    }
    for (const top of [0, 1, 2.5, 3_999_999, r.maxScrollTop]) {
      expect(scrollTopForOffset(r, offsetForScrollTop(r, top))).toBeCloseTo(top, 6);
    }
  });

  it('reaches every row: each is in view at the offset that shows it, and a whole-pixel scrollTop lands within a few rows of it', () => {
    const ratio = r.maxOffset / r.maxScrollTop;
    for (const index of [0, 1, 199, 200, 500_000, 837_999, 838_860, 999_000, rows - 2, rows - 1]) {
      const offset = offsetToShowRow(r, index, 0);
      const w = rowsInView(r, offset, 0);
      expect(w.firstVisible).toBeLessThanOrEqual(index);
      expect(w.lastVisible).toBeGreaterThanOrEqual(index);
      // The browser keeps a whole-pixel scrollTop: the offset it stands for is at most one ratio away.
      const top = Math.round(scrollTopForOffset(r, offset));
      expect(Math.abs(offsetForScrollTop(r, top) - offset)).toBeLessThanOrEqual(ratio / 2 + 1e-6);
    }
  });

  it('places the rows on screen at full size, relative to the viewport, wherever the scrollTop is', () => {
    for (const top of [0, 1_234_567, r.maxScrollTop / 2, r.maxScrollTop - 1, r.maxScrollTop]) {
      const offset = offsetForScrollTop(r, top);
      const { firstVisible, lastVisible } = rowsInView(r, offset, 0);
      for (let i = firstVisible; i < lastVisible; i++) {
        // consecutive rows 40 px apart, and the visible ones overlapping the viewport
        expect(onScreen(r, i + 1, top).top - onScreen(r, i, top).top).toBe(ROW);
        expect(onScreen(r, i, top).bottom).toBeGreaterThan(0);
        expect(onScreen(r, i, top).top).toBeLessThan(VIEWPORT);
      }
      // The first visible row is the one under the viewport's top edge (behind the header, or just below it)
      expect(onScreen(r, firstVisible, top).top).toBeLessThanOrEqual(HEADER);
      expect(onScreen(r, firstVisible, top).bottom).toBeGreaterThan(firstVisible === 0 ? HEADER : 0);
    }
  });

  it('a wheel delta moves the rows by that many pixels (the offset, not the scrollTop, moves by it)', () => {
    const before = 9_000_000;
    const after = before + 120;
    // the grid keeps the exact offset and writes a (snapped) scrollTop; rows sit relative to the scrollTop it got
    const topBefore = Math.round(scrollTopForOffset(r, before));
    const topAfter = Math.round(scrollTopForOffset(r, after));
    expect(onScreen(r, 300_000, topBefore, before).top - onScreen(r, 300_000, topAfter, after).top).toBe(120);
  });
});

describe('bringing a row into view (keyboard)', () => {
  for (const [label, r] of [
    ['unscaled', range(10_000)],
    ['scaled', range(1_000_000)],
  ] as const) {
    it(`${label}: moves as little as possible, and keeps rows out from under the header`, () => {
      const at = 400_000;
      const { firstVisible, lastVisible } = rowsInView(r, at, 0);
      const middle = Math.floor((firstVisible + lastVisible) / 2);
      const inside = Math.min(middle, r.rows - 1);
      if (r.rows > 10_010) {
        expect(offsetToShowRow(r, inside, at)).toBe(at);
        // Below: it goes to the bottom edge.
        const below = lastVisible + 5;
        const down = offsetToShowRow(r, below, at);
        expect(HEADER + (below + 1) * ROW - down).toBe(VIEWPORT);
        // Above: just under the header.
        const above = firstVisible - 5;
        expect(offsetToShowRow(r, above, at)).toBe(above * ROW);
      }
      // Home and End.
      expect(offsetToShowRow(r, 0, r.maxOffset)).toBe(0);
      expect(offsetToShowRow(r, r.rows - 1, 0)).toBe(r.maxOffset);
      expect(offsetToShowRow(r, r.rows + 50, 0)).toBe(r.maxOffset);
    });
  }
});

describe('the cap a test may set', () => {
  it('only lowers it, to a sane number; anything else is the default', () => {
    expect(capFrom(undefined)).toBe(MAX_BODY_HEIGHT);
    expect(capFrom(40_000)).toBe(40_000);
    expect(capFrom(MIN_BODY_HEIGHT - 1)).toBe(MAX_BODY_HEIGHT);
    expect(capFrom(MAX_BODY_HEIGHT * 10)).toBe(MAX_BODY_HEIGHT);
    expect(capFrom('40000')).toBe(MAX_BODY_HEIGHT);
    expect(capFrom(Number.NaN)).toBe(MAX_BODY_HEIGHT);
    expect(capFrom(Infinity)).toBe(MAX_BODY_HEIGHT);
  });
});
