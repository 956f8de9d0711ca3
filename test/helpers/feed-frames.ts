import type { FrameEvent, FrameReader } from '../../src/shared/protocol/framing';

/** Feeds `input` to a FrameReader in reads cut at the given sizes (cycled), then ends the stream; returns every event. */
export function feed(r: FrameReader, input: Uint8Array, sizes: number[] = [input.length], end = true): FrameEvent[] {
  const out: FrameEvent[] = [];
  for (let off = 0, i = 0; off < input.length; i++) {
    const n = Math.max(1, sizes[i % sizes.length]!);
    r.push(input.subarray(off, off + n), out);
    off += n;
  }
  if (end) r.flush(out);
  return out;
}
