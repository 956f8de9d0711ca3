/**
 * The jobs grid's scroll geometry, as pure functions: which rows a scroll
 * position shows, where each row sits, where to scroll to bring a row into view.
 *
 * Browsers cap an element's height (Chromium at about 33.5 million px, Firefox
 * at about 17.9 million): a million 40 px rows (40 million px) cannot be laid
 * out at full size, and the rows past the cap would be out of reach. So the
 * body's height is capped at `MAX_BODY_HEIGHT`, and a taller table gets a
 * *scaled* range: the element's scrollTop maps proportionally onto the
 * table's full-size ("virtual") offset, and the rows on screen are placed
 * relative to the viewport (at full size, so a row is always 40 px). Below the
 * cap both are the same number and nothing is scaled.
 *
 * Coordinates: an *offset* is a virtual scroll position (0 … maxOffset, as if
 * the table were laid out at full size); a *scrollTop* is the element's own
 * (0 … maxScrollTop). Rows start below a header of `header` px that sits in
 * the scroll container (sticky), as in the markup.
 */

/**
 * The tallest body the grid lays out (px). Under every browser's limit with
 * room to spare, and under 2^23 so that a row's translateY (a float in the
 * compositor) still lands on a half pixel. 200,000 rows of 40 px fit; larger
 * tables are scaled.
 */
export const MAX_BODY_HEIGHT = 8_000_000;

/** The smallest cap a test may set (below it the scale would make a 1 px scrollbar move skip whole screens). */
export const MIN_BODY_HEIGHT = 10_000;

export interface ScrollGeometry {
  /** Number of rows. */
  rows: number;
  /** Height of one row (px). */
  rowHeight: number;
  /** Height of the (sticky) header above the rows, inside the scroll container (px). */
  header: number;
  /** The scroll container's client height (px). */
  viewport: number;
  /** The tallest body to lay out (px); MAX_BODY_HEIGHT unless a test lowers it. */
  cap?: number;
}

export interface ScrollRange extends Required<ScrollGeometry> {
  /** The body's height as laid out: all rows at full size, or the cap. */
  bodyHeight: number;
  /** Whether scrollTop and offset differ (the rows are taller than the cap). */
  scaled: boolean;
  /** The largest virtual offset: the last row's bottom at the viewport's bottom. */
  maxOffset: number;
  /** The largest scrollTop the element allows. */
  maxScrollTop: number;
}

export function scrollRange({ rows, rowHeight, header, viewport, cap = MAX_BODY_HEIGHT }: ScrollGeometry): ScrollRange {
  const n = Math.max(0, Math.floor(rows));
  const full = n * rowHeight;
  const bodyHeight = Math.min(full, cap);
  const maxOffset = Math.max(0, header + full - viewport);
  const maxScrollTop = Math.max(0, header + bodyHeight - viewport);
  // A viewport taller than the capped body leaves nothing to scroll with: then nothing is scaled either.
  const scaled = full > cap && maxScrollTop > 0;
  return { rows: n, rowHeight, header, viewport, cap, bodyHeight: scaled ? bodyHeight : full, scaled, maxOffset, maxScrollTop: scaled ? maxScrollTop : maxOffset };
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** The virtual offset a scrollTop stands for (proportional when scaled: both ends meet both ends). */
export function offsetForScrollTop(r: ScrollRange, scrollTop: number): number {
  const top = clamp(scrollTop, 0, r.maxScrollTop);
  return r.scaled ? (top / r.maxScrollTop) * r.maxOffset : top;
}

/** The scrollTop that shows a virtual offset (the inverse of offsetForScrollTop). */
export function scrollTopForOffset(r: ScrollRange, offset: number): number {
  const at = clamp(offset, 0, r.maxOffset);
  return r.scaled ? (at / r.maxOffset) * r.maxScrollTop : at;
}

/** Clamps an offset into the range. */
export function clampOffset(r: ScrollRange, offset: number): number {
  return clamp(offset, 0, r.maxOffset);
}

/**
 * Where row `index` goes inside the body (its translateY), with the viewport at
 * `offset` (virtual) and the element at `scrollTop`: as far below the
 * viewport's top as it would be at full size. Unscaled (offset = scrollTop)
 * that is simply index × rowHeight.
 */
export function rowTop(r: ScrollRange, index: number, offset: number, scrollTop: number): number {
  return r.scaled ? scrollTop - offset + index * r.rowHeight : index * r.rowHeight;
}

export interface RowWindow {
  /** The first and last rows at least partly in the viewport (-1, -1 when none). */
  firstVisible: number;
  lastVisible: number;
  /** Those widened by the overscan: the rows to render. */
  first: number;
  last: number;
}

/** The rows the viewport at `offset` shows, as TanStack Virtual counts them (a row touching the top edge counts). */
export function rowsInView(r: ScrollRange, offset: number, overscan: number): RowWindow {
  if (r.rows === 0 || r.viewport <= 0) return { firstVisible: -1, lastVisible: -1, first: -1, last: -1 };
  const at = clampOffset(r, offset);
  const firstVisible = clamp(Math.floor((at - r.header) / r.rowHeight), 0, r.rows - 1);
  const lastVisible = clamp(Math.ceil((at + r.viewport - r.header) / r.rowHeight) - 1, firstVisible, r.rows - 1);
  return {
    firstVisible,
    lastVisible,
    first: Math.max(0, firstVisible - overscan),
    last: Math.min(r.rows - 1, lastVisible + overscan),
  };
}

/**
 * The offset that brings row `index` fully into view below the header, moving
 * as little as possible (TanStack Virtual's align "auto"): unchanged when it is
 * in view already; else it goes to the bottom edge when it lies below, or just
 * under the header when it lies above.
 */
export function offsetToShowRow(r: ScrollRange, index: number, offset: number): number {
  if (r.rows === 0) return 0;
  const i = clamp(Math.floor(index), 0, r.rows - 1);
  const start = r.header + i * r.rowHeight;
  const end = start + r.rowHeight;
  const at = clampOffset(r, offset);
  if (end >= at + r.viewport) return clampOffset(r, end - r.viewport);
  if (start <= at + r.header) return clampOffset(r, start - r.header);
  return at;
}

/**
 * A test may lower the cap (never raise it) to reach scaled geometry with a
 * small store: a number in `window.__crawlConsoleMaxBodyHeight`, set by the
 * test before the page's scripts run. Anything else is ignored.
 */
export function capFrom(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= MIN_BODY_HEIGHT && value < MAX_BODY_HEIGHT ? value : MAX_BODY_HEIGHT;
}
