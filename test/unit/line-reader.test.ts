import { describe, expect, it } from 'vitest';
import { type LineEvent, LineReader } from '../../src/main/socket/connection/line-reader';

/** Feeds `input` in chunks cut at the given sizes (cycled) and returns every event. */
function feed(reader: LineReader, input: Buffer, sizes: number[]): LineEvent[] {
  const out: LineEvent[] = [];
  for (let off = 0, i = 0; off < input.length; i++) {
    const n = sizes[i % sizes.length]!;
    reader.push(input.subarray(off, off + n), out);
    off += n;
  }
  return out;
}

describe('LineReader', () => {
  it('yields the same lines however the stream is cut', () => {
    const text = Buffer.from('{"a":1}\n{"b":"ünïcödé"}\r\n\n  \n{"c":3}\n');
    for (const sizes of [[1], [2, 3], [7], [1000]]) {
      const events = feed(new LineReader({ maxLineBytes: 100 }), text, sizes);
      expect(events).toEqual([
        { kind: 'line', text: '{"a":1}' },
        { kind: 'line', text: '{"b":"ünïcödé"}' },
        { kind: 'line', text: '{"c":3}' },
      ]);
    }
  });

  it('supports a multi-byte delimiter split across chunks', () => {
    const events = feed(new LineReader({ delimiter: '\u2028|', maxLineBytes: 100 }), Buffer.from('one\u2028|two\u2028|'), [1, 2]);
    expect(events.map((e) => e.kind === 'line' && e.text)).toEqual(['one', 'two']);
  });

  it('reports an oversized line once, with its size, and keeps only a bounded buffer', () => {
    const reader = new LineReader({ maxLineBytes: 10 });
    const out: LineEvent[] = [];
    reader.push(Buffer.from('0123456789ABCDEF'), out);
    expect(reader.bufferedBytes).toBeLessThanOrEqual(10);
    for (let i = 0; i < 100; i++) reader.push(Buffer.alloc(1000, 'x'), out);
    expect(reader.bufferedBytes).toBeLessThanOrEqual(10);
    reader.push(Buffer.from('tail\nok\n'), out);
    expect(out).toEqual([{ kind: 'oversized', bytes: 16 + 100_000 + 4 }, { kind: 'line', text: 'ok' }]);
  });

  it('flags invalid UTF-8 and flushes a final line without a delimiter', () => {
    const reader = new LineReader({ maxLineBytes: 100 });
    const out = reader.push(Buffer.from([0xc3, 0x28, 0x0a, 0x7b, 0x7d]));
    reader.flush(out);
    expect(out).toEqual([{ kind: 'invalid_encoding', bytes: 2 }, { kind: 'line', text: '{}' }]);
  });
});
