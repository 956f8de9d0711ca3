import { describe, expect, it } from 'vitest';
import { type FrameEvent, FrameReader } from '../../src/shared/protocol/framing';
import { feed } from '../helpers/feed-frames';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const reader = (maxMessageBytes = 1024, delimiter?: string) => new FrameReader({ maxMessageBytes, ...(delimiter !== undefined && { delimiter }) });


/** Feeds `input` cut once at `at` (and ends the stream). */
const splitAt = (r: FrameReader, input: Uint8Array, at: number): FrameEvent[] => {
  const out: FrameEvent[] = [];
  r.push(input.subarray(0, at), out);
  r.push(input.subarray(at), out);
  return r.flush(out);
};

const lines = (...objects: unknown[]): FrameEvent[] => objects.map((o) => ({ kind: 'line', text: JSON.stringify(o) }));

/** Messages whose strings hold everything a naive brace counter trips over. */
const TRICKY = [
  { type: 'heartbeat', data: { note: 'braces } { inside }}}{{ a string' } },
  { type: 'job_progress', jobId: 'j-"1"', data: { message: 'quote " and escaped \\" and backslash \\\\', path: 'C:\\dir\\' } },
  { type: 'job_failed', data: { error: '\\', stack: '"}"', nested: { deeper: { deepest: [{ x: '{' }, { y: '}' }] } } } },
  { type: 'discovery', data: { name: 'ünïcödé €uro 😀 日本語', empty: '', esc: '\n\t\u0000\u2028' } },
];

describe('FrameReader: unterminated objects (the crawler in the wild)', () => {
  const stream = bytes(TRICKY.map((m) => JSON.stringify(m)).join(''));

  it('reads objects back to back, several per read, with braces, quotes and escapes inside strings', () => {
    expect(feed(reader(), stream)).toEqual(lines(...TRICKY));
  });

  it('yields the same objects whichever byte a read ends at', () => {
    for (let at = 0; at <= stream.length; at++) expect(splitAt(reader(), stream, at)).toEqual(lines(...TRICKY));
  });

  it('yields the same objects when every byte is its own read, or reads are cut at odd sizes', () => {
    for (const sizes of [[1], [2, 3], [7, 1, 13], [64], [1000]]) expect(feed(reader(), stream, sizes)).toEqual(lines(...TRICKY));
  });

  it('emits each object as soon as its closing brace arrives, without waiting for more', () => {
    const r = reader();
    const one = bytes(JSON.stringify(TRICKY[0]));
    expect(r.push(one)).toEqual(lines(TRICKY[0]));
    expect(r.bufferedBytes).toBe(0);
  });

  it('reassembles multi-byte UTF-8 split across reads at every position', () => {
    const msg = { s: 'ü€😀日' };
    const b = bytes(JSON.stringify(msg) + JSON.stringify(msg));
    for (let at = 0; at <= b.length; at++) expect(splitAt(reader(), b, at)).toEqual(lines(msg, msg));
  });
});

describe('FrameReader: delimited lines and mixes', () => {
  it('reads delimited lines, tolerating CRLF, blank lines and whitespace', () => {
    const text = bytes('{"a":1}\n{"b":"ünïcödé"}\r\n\n  \n\t{"c":3}  \n');
    for (const sizes of [[1], [2, 3], [7], [1000]]) expect(feed(reader(), text, sizes)).toEqual(lines({ a: 1 }, { b: 'ünïcödé' }, { c: 3 }));
  });

  it('reads any mix of delimited and unterminated objects on one stream, at every split position', () => {
    const [a, b, c, d] = TRICKY.map((m) => JSON.stringify(m));
    const text = bytes(`${a}\n${b}${c}\r\n  ${d}${a}\n\n${b}`);
    const expected = lines(TRICKY[0], TRICKY[1], TRICKY[2], TRICKY[3], TRICKY[0], TRICKY[1]);
    for (let at = 0; at <= text.length; at++) expect(splitAt(reader(), text, at)).toEqual(expected);
  });

  it('supports a multi-byte delimiter split across reads', () => {
    const text = bytes('{"a":1}\u2028|{"b":2}\u2028|{"c":3}');
    for (const sizes of [[1], [2], [3, 1], [1000]]) expect(feed(reader(100, '\u2028|'), text, sizes)).toEqual(lines({ a: 1 }, { b: 2 }, { c: 3 }));
  });

  it('with a multi-byte delimiter, a lone prefix of it inside a string is data, not a delimiter', () => {
    const msg = { s: 'a\u2028b' };
    const text = bytes(JSON.stringify(msg) + '\u2028|' + JSON.stringify(msg));
    for (let at = 0; at <= text.length; at++) expect(splitAt(reader(100, '\u2028|'), text, at)).toEqual(lines(msg, msg));
  });

  it('ends an unbalanced object at the delimiter, so it costs only itself', () => {
    const out = feed(reader(), bytes('{"type":"heartbeat","data":{"a":1\n{"ok":true}\n'));
    expect(out).toHaveLength(2);
    expect(out[0]).toEqual({ kind: 'line', text: '{"type":"heartbeat","data":{"a":1' });
    expect(() => JSON.parse((out[0] as { text: string }).text)).toThrow();
    expect(out[1]).toEqual({ kind: 'line', text: '{"ok":true}' });
  });

  it('hands on a final object without a delimiter when the stream ends, and an unfinished one as text', () => {
    expect(feed(reader(), bytes('{"a":1}\n{"b":2}'))).toEqual(lines({ a: 1 }, { b: 2 }));
    const r = reader();
    expect(r.push(bytes('{"a":{"b":'))).toEqual([]);
    expect(r.flush()).toEqual([{ kind: 'line', text: '{"a":{"b":' }]);
  });
});

describe('FrameReader: garbage resynchronises', () => {
  it('skips bytes that cannot start an object up to the next "{", reporting the run once', () => {
    expect(feed(reader(), bytes('hello world{"a":1}}{"b":2}'))).toEqual([
      { kind: 'garbage', bytes: 11 },
      { kind: 'line', text: '{"a":1}' },
      { kind: 'garbage', bytes: 1 },
      { kind: 'line', text: '{"b":2}' },
    ]);
  });

  it('skips garbage up to the next delimiter', () => {
    expect(feed(reader(), bytes('not json at all\n{"a":1}\n'))).toEqual([{ kind: 'garbage', bytes: 15 }, ...lines({ a: 1 })]);
  });

  it('reports one garbage run once however it is cut into reads, with bounded memory', () => {
    const r = reader(64);
    const out: FrameEvent[] = [];
    for (let i = 0; i < 1000; i++) {
      r.push(bytes('xxxxxxxxxx'), out);
      expect(r.bufferedBytes).toBe(0);
    }
    r.push(bytes('{"a":1}'), out);
    expect(out).toEqual([{ kind: 'garbage', bytes: 10_000 }, ...lines({ a: 1 })]);
  });

  it('answers invalid bytes as garbage and keeps reading', () => {
    const input = new Uint8Array([0xff, 0xfe, 0x00, 0x81, 0xc3, 0x28, ...bytes('{"a":1}')]);
    for (let at = 0; at <= input.length; at++) expect(splitAt(reader(), input, at)).toEqual([{ kind: 'garbage', bytes: 6 }, ...lines({ a: 1 })]);
  });

  it('names a whole JSON value of another type as not an object', () => {
    expect(feed(reader(), bytes('[1,2,3]\n"text"\n42\nnull\ntrue\n'))).toEqual([
      { kind: 'not_an_object', bytes: 7, got: 'array' },
      { kind: 'not_an_object', bytes: 6, got: 'string' },
      { kind: 'not_an_object', bytes: 2, got: 'number' },
      { kind: 'not_an_object', bytes: 4, got: 'null' },
      { kind: 'not_an_object', bytes: 4, got: 'boolean' },
    ]);
  });

  it('reports each of many short garbage lines in one read once', () => {
    const out = feed(reader(), bytes('x\n'.repeat(5_000) + '{"a":1}\n'));
    expect(out).toHaveLength(5_001);
    expect(out.filter((e) => e.kind === 'garbage' && e.bytes === 1)).toHaveLength(5_000);
    expect(out.at(-1)).toEqual({ kind: 'line', text: '{"a":1}' });
  });
});

describe('FrameReader: oversized and invalid objects', () => {
  it('discards an oversized unterminated object with bounded memory and reads the next one', () => {
    const r = reader(64);
    const out: FrameEvent[] = [];
    r.push(bytes('{"pad":"'), out);
    for (let i = 0; i < 100; i++) {
      // braces and quotes inside the oversized string must not end it early
      r.push(bytes('aaaa}{\\"'.repeat(125)), out);
      expect(r.bufferedBytes).toBeLessThanOrEqual(64);
    }
    r.push(bytes('"}{"next":1}'), out);
    expect(out).toEqual([{ kind: 'oversized', bytes: 8 + 100_000 + 2 }, ...lines({ next: 1 })]);
  });

  it('discards an oversized line up to the delimiter', () => {
    const r = reader(10);
    const out: FrameEvent[] = [];
    r.push(bytes('{"a":"0123456789ABCDEF'), out);
    expect(r.bufferedBytes).toBeLessThanOrEqual(10);
    for (let i = 0; i < 100; i++) r.push(new Uint8Array(1000).fill(0x78), out);
    expect(r.bufferedBytes).toBeLessThanOrEqual(10);
    r.push(bytes('tail\n{"ok":1}\n'), out);
    expect(out).toEqual([{ kind: 'oversized', bytes: 22 + 100_000 + 4 }, ...lines({ ok: 1 })]);
  });

  it('accepts an object of exactly maxMessageBytes and refuses one byte more, at every split', () => {
    const exact = bytes('{"s":"' + 'x'.repeat(10) + '"}'); // 18 bytes
    for (let at = 0; at <= exact.length; at++) {
      expect(splitAt(reader(18), exact, at)).toEqual([{ kind: 'line', text: new TextDecoder().decode(exact) }]);
      expect(splitAt(reader(17), exact, at)).toEqual([{ kind: 'oversized', bytes: 18 }]);
    }
  });

  it('reports an object that is not valid UTF-8, once, and keeps reading', () => {
    const input = new Uint8Array([...bytes('{"a":"'), 0xc3, 0x28, ...bytes('"}{"b":2}')]);
    for (let at = 0; at <= input.length; at++) expect(splitAt(reader(), input, at)).toEqual([{ kind: 'invalid_encoding', bytes: 10 }, ...lines({ b: 2 })]);
  });

  it('forgets everything on reset', () => {
    const r = reader();
    r.push(bytes('{"a":"half'));
    expect(r.bufferedBytes).toBeGreaterThan(0);
    r.reset();
    expect(r.bufferedBytes).toBe(0);
    expect(feed(r, bytes('{"b":1}'))).toEqual(lines({ b: 1 }));
  });

  it('refuses an empty delimiter', () => {
    expect(() => reader(10, '')).toThrow(/delimiter/i);
  });
});

describe('FrameReader: random streams', () => {
  it('frames random mixes of framings, garbage and cuts exactly as they were written', () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = ['a', '{', '}', '"', '\\', ' ', 'ü', '😀', '\n', ':'];
    for (let round = 0; round < 200; round++) {
      const parts: string[] = [];
      const expected: FrameEvent[] = [];
      for (let k = rand(8) + 1; k > 0; k--) {
        let s = '';
        for (let n = rand(20); n > 0; n--) s += alphabet[rand(alphabet.length)];
        const msg = { k, s, nested: { list: [s, { s }] } };
        expected.push({ kind: 'line', text: JSON.stringify(msg) });
        const sep = ['', '\n', '\r\n', ' \n\n', '\t'][rand(5)]!;
        parts.push(JSON.stringify(msg) + sep);
        if (rand(6) === 0) {
          parts.push('junk\n');
          expected.push({ kind: 'garbage', bytes: 4 });
        }
      }
      const input = bytes(parts.join(''));
      const sizes = Array.from({ length: 5 }, () => rand(40) + 1);
      expect(feed(reader(4096), input, sizes)).toEqual(expected);
    }
  });
});

describe('FrameReader with parse: the same events, well-formed objects handed on parsed', () => {
  const withoutValue = (events: FrameEvent[]): FrameEvent[] => events.map((e) => (e.kind === 'line' ? { kind: 'line', text: e.text } : e));

  /** Frames `input` with and without `parse`: same events; each value is what JSON.parse(text) gives. Returns how many came parsed. */
  function sameAsScan(input: Uint8Array, sizes: number[], max = 4096, delimiter?: string): number {
    const plain = feed(new FrameReader({ maxMessageBytes: max, ...(delimiter !== undefined && { delimiter }) }), input, sizes);
    const parsing = feed(new FrameReader({ maxMessageBytes: max, parse: true, ...(delimiter !== undefined && { delimiter }) }), input, sizes);
    expect(withoutValue(parsing)).toEqual(plain);
    let parsed = 0;
    for (const e of parsing) {
      if (e.kind !== 'line' || e.value === undefined) continue;
      parsed++;
      expect(e.value).toStrictEqual(JSON.parse(e.text));
    }
    return parsed;
  }

  it('gives the brace scan’s events for tricky objects in both framings, at every split, and parses most of them', () => {
    for (const sep of ['', '\n', '\r\n', ' ']) {
      const input = bytes(TRICKY.map((m) => JSON.stringify(m) + sep).join(''));
      let parsed = 0;
      for (let at = 0; at <= input.length; at++) parsed += sameAsScan(input, [at || 1, input.length]);
      // The objects a read does not cut are handed on parsed (a `}{` inside a string sends one to the scan).
      expect(parsed).toBeGreaterThan(input.length * 2);
    }
  });

  it('leaves to the scan what is not one well-formed object: two on a line, garbage, truncation, wrong types, bad UTF-8', () => {
    const cases = [
      '{"a":1}{"b":2}\n{"c":"}{"}{"d":4}\n',
      '{"a":1} junk {"b":2}\n',
      '{"a":\n{"b":2}\n',
      '{"a":1}}\n{{"b":2}\n',
      '[1,2]\n"x"\n42\n{"ok":true}\n',
      '{"a":1,}\n{"a" 1}\n{"a":1}',
      '{"a":"}{"}{"b":"x"}',
    ];
    for (const c of cases) {
      const input = bytes(c);
      for (let at = 1; at <= input.length; at++) sameAsScan(input, [at, input.length]);
    }
    const badUtf8 = new Uint8Array([...bytes('{"a":"'), 0xff, ...bytes('"}\n{"b":1}{"c":"'), 0xc3, ...bytes('"}{"d":1}')]);
    for (let at = 1; at <= badUtf8.length; at++) sameAsScan(badUtf8, [at, badUtf8.length]);
  });

  it('keeps maxMessageBytes exactly: an object of the limit is parsed, one byte more is oversized', () => {
    const exact = JSON.stringify({ pad: 'x'.repeat(100) });
    const over = JSON.stringify({ pad: 'x'.repeat(101) });
    for (const sep of ['', '\n']) {
      const input = bytes(`${exact}${sep}${over}${sep}${exact}${sep}`);
      expect(sameAsScan(input, [input.length], exact.length)).toBe(2);
    }
  });

  it('supports a multi-byte delimiter', () => {
    const input = bytes(TRICKY.map((m) => JSON.stringify(m) + '<END>').join(''));
    for (let at = 1; at <= input.length; at += 3) sameAsScan(input, [at, 7], 4096, '<END>');
  });

  it('matches the scan on random mixes of framings, garbage and cuts', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = ['a', '{', '}', '}{', '"', '\\', ' ', 'ü', '\n', ':'];
    let parsed = 0;
    for (let round = 0; round < 300; round++) {
      const parts: string[] = [];
      for (let k = rand(8) + 1; k > 0; k--) {
        let s = '';
        for (let n = rand(20); n > 0; n--) s += alphabet[rand(alphabet.length)];
        parts.push(JSON.stringify({ k, s, nested: { list: [s, { s }] } }) + ['', '\n', '\r\n', ' \n\n', '\t', '}', '{'][rand(7)]!);
        if (rand(6) === 0) parts.push(['junk\n', '{"cut":', '[1]', '}{'][rand(4)]!);
      }
      const input = bytes(parts.join(''));
      // Small reads cut most objects (the scan's case), large ones few; a small limit makes some oversized.
      parsed += sameAsScan(input, Array.from({ length: 5 }, () => rand(round % 2 ? 60 : 600) + 1), round % 3 ? 1000 : 60);
    }
    // Stray braces and cut objects send much of this to the scan; the rest is taken parsed.
    expect(parsed).toBeGreaterThan(50);
  });

  it('looks at each byte of a read a bounded number of times, whatever the stream (no quadratic rescans)', () => {
    let searched = 0;
    /** Bytes whose indexOf counts what it searches. */
    class CountingBytes extends Uint8Array {
      override indexOf(value: number, from = 0): number {
        const found = super.indexOf(value, from);
        searched += (found === -1 ? this.length : found + 1) - from;
        return found;
      }
    }
    // Many objects that open and never close, then one `}` at the very end: each must not search to the end again.
    for (const text of ['{"a\n'.repeat(5000) + '}', '{"a":1 {'.repeat(5000) + '}']) {
      const input = bytes(text);
      searched = 0;
      new FrameReader({ maxMessageBytes: 1 << 20, parse: true }).push(new CountingBytes(input));
      expect(searched).toBeLessThan(4 * input.length);
    }
  });
});
