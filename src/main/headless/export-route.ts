/**
 * Exports over HTTP as streamed downloads. The page asks with its bearer token
 * (`POST /api/export/jobs` or `/api/export/errors`, the exportJobs/exportErrors
 * input as body) and gets a one-time download address, which it opens as an
 * `<a download>`: the browser then writes the stream straight to disk (a fetch
 * would have to hold the whole file in the page). The address is the
 * credential: 32 random bytes, good for one download within a minute.
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { ApiError } from '../../shared/contract';
import { type ExportStream, openExport } from '../core/export-stream';
import type { ConsoleCore } from '../core/types';

export const EXPORT_TICKET_TTL_MS = 60_000;
const MAX_TICKETS = 32;

interface Ticket {
  open: () => ExportStream;
  expires: number;
}

export class ExportTickets {
  private readonly tickets = new Map<string, Ticket>();

  constructor(
    private readonly core: Pick<ConsoleCore, 'exports'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Validates an export request and returns its download path (relative to the page). */
  issue(kind: string, body: unknown): { url: string } {
    this.prune();
    if (this.tickets.size >= MAX_TICKETS) throw new ApiError('unavailable', 'Too many exports waiting to be downloaded; try again in a minute.');
    // Validated now (a bad filter is an answer to this request), opened at download time.
    const first = openExport(this.core.exports, kind, body);
    let opened: ExportStream | null = first;
    const open = () => {
      const s = opened ?? openExport(this.core.exports, kind, body);
      opened = null;
      return s;
    };
    const id = randomBytes(32).toString('base64url');
    this.tickets.set(id, { open, expires: this.now() + EXPORT_TICKET_TTL_MS });
    return { url: `api/download/${id}` };
  }

  /** The stream for a download address, or null when it is unknown, used or expired. */
  take(id: string): ExportStream | null {
    this.prune();
    const t = this.tickets.get(id);
    if (t === undefined) return null;
    this.tickets.delete(id);
    return t.open();
  }

  private prune(): void {
    const now = this.now();
    for (const [id, t] of this.tickets) if (t.expires <= now) this.tickets.delete(id);
  }
}

/**
 * Writes an export to a response, a page at a time, waiting for the socket to
 * drain before reading the next page: memory holds one page, however large the
 * export. Stops reading when the client goes away.
 */
export async function sendExport(res: ServerResponse, stream: ExportStream): Promise<void> {
  res.statusCode = 200;
  res.setHeader('Content-Type', stream.content_type);
  res.setHeader('Content-Disposition', `attachment; filename="${stream.filename}"`);
  res.setHeader('Cache-Control', 'no-store');
  let gone = false;
  res.once('close', () => {
    gone = true;
  });
  const iterator = stream.chunks[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done || gone) break;
      if (!res.write(next.value)) await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
      if (gone) break;
    }
  } finally {
    await iterator.return?.();
  }
  if (!gone) res.end();
}
