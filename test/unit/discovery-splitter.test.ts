/**
 * An oversized jobs_discovered taken in parts (discovery-splitter.ts, through
 * the FrameReader as the console uses it): the parts together are exactly the
 * items sent, in order, however the reads cut the bytes; anything the splitter
 * cannot take is refused with its reason, and what it holds stays bounded.
 */
import { describe, expect, it } from 'vitest';
import { decodeCrawlerMessage, discoveredEntityKey } from '../../src/shared/protocol';
import { MAX_MESSAGE_DEPTH, exceedsDepth } from '../../src/shared/protocol/depth';
import { DiscoverySplitter } from '../../src/shared/protocol/discovery-splitter';
import { type FrameEvent, FrameReader } from '../../src/shared/protocol/framing';
import { mulberry32 } from '../../src/simulator/prng';
import { feed } from '../helpers/feed-frames';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

function reader(maxBytes: number, batchItems = 1000): FrameReader {
  return new FrameReader({ maxMessageBytes: maxBytes, parse: true, split: () => new DiscoverySplitter({ maxBytes, batchItems }) });
}


/** Items whose strings hold what a naive scanner trips over. */
function items(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    job_type: i % 2 ? 'crawl_project' : 'crawl_group',
    entity_id: String(1000 + i),
    namespace_path: `g-${i % 7}/p-${i}`,
    entity_name: i % 5 === 0 ? `brace } { "quoted" \\ ünï 😀 ${i}` : `Project ${i}`,
    priority: 1,
    ...(i % 3 === 0 && { estimated_size: { issues: i, nested: 2 } }),
  }));
}

/** What the crawler in the wild writes: its own envelope spelling, the id before data, no delimiter. */
const wild = (list: unknown[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({ type: 'jobs_discovered', timestamp: '2026-12-02T00:00:00Z', jobId: 'disc-1', ...extra, data: { discovered_jobs: list, discovery_summary: { total_groups: 3, total_projects: 4 } } });

const parts = (events: FrameEvent[]) => events.filter((e): e is Extract<FrameEvent, { kind: 'line' }> => e.kind === 'line');
const itemsOf = (events: FrameEvent[]) =>
  parts(events)
    .filter((e) => e.value!.type === 'jobs_discovered')
    .flatMap((e) => (e.value!.data as { discovered_jobs: unknown[] }).discovered_jobs);

describe('DiscoverySplitter', () => {
  const list = items(300);
  const text = wild(list);

  it('hands on every item of an oversized jobs_discovered in order, in bounded parts, however the reads are cut', () => {
    expect(text.length).toBeGreaterThan(20_000);
    const random = mulberry32(7);
    for (const sizes of [[text.length], [1], [3, 7, 1], [4096], Array.from({ length: 50 }, () => 1 + Math.floor(random() * 900))]) {
      const events = feed(reader(4096, 64), bytes(text), sizes);
      expect(events.filter((e) => e.kind !== 'line')).toEqual([]);
      expect(itemsOf(events)).toEqual(list);
      for (const e of parts(events)) {
        const data = e.value!.data as { discovered_jobs: unknown[] };
        expect(data.discovered_jobs.length).toBeLessThanOrEqual(64);
        expect(JSON.stringify(data.discovered_jobs).length).toBeLessThan(4096 * 2);
      }
    }
  });

  it('gives each part the head of the message, each item’s index, and the summary on the last part', () => {
    const events = parts(feed(reader(16_384, 100), bytes(text), [1000]));
    // Cut at 100 items, or earlier at about maxBytes of them; each item's index is its place in the message.
    const sizes = events.map((e) => (e.value!.data as { discovered_jobs: unknown[] }).discovered_jobs.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(300);
    expect(events.flatMap((e) => (e.value!.data as { items_index: number[] }).items_index)).toEqual(list.map((_, i) => i));
    expect(Math.max(...sizes)).toBe(100);
    for (const e of events) expect(e.value).toMatchObject({ type: 'jobs_discovered', jobId: 'disc-1', timestamp: '2026-12-02T00:00:00Z' });
    expect(events.at(-1)!.value!.data).toMatchObject({ discovery_summary: { total_groups: 3, total_projects: 4 } });
    expect(events[0]!.value!.data).not.toHaveProperty('discovery_summary');
    // Each part is a message the console decodes like any other (crawler spelling: jobId).
    const decoded = decodeCrawlerMessage(events[1]!.value);
    expect(decoded.ok && decoded.message.type === 'jobs_discovered' && decoded.message.data.discovered_jobs.length).toBe(100);
  });

  it('keeps the message’s other fields on every part (what a user’s handler reads as extras)', () => {
    const events = parts(feed(reader(8192, 100), bytes(wild(list, { trace: 'run-7' })), [2000]));
    expect(events.length).toBeGreaterThan(2);
    for (const e of events) expect(e.value).toMatchObject({ trace: 'run-7', jobId: 'disc-1', data: { items_index: expect.any(Array) } });
  });

  it('names a refused item by its index in the whole message', () => {
    const bad: unknown[] = [...list];
    bad[250] = { job_type: 'crawl_project', priority: 1 }; // no entity_id
    const events = parts(feed(reader(4096, 100), bytes(wild(bad)), [777]));
    const rejected = events.flatMap((e) => {
      const d = decodeCrawlerMessage(e.value);
      return d.ok && d.message.type === 'jobs_discovered' ? d.message.data.rejected_items.map((r) => r.index) : [];
    });
    expect(rejected).toEqual([250]);
  });

  it('takes the documented spelling too (job_id, a delimiter after it), and what follows the message is read as before', () => {
    const doc = JSON.stringify({ type: 'jobs_discovered', job_id: 'disc-2', timestamp: 't', data: { discovered_jobs: list } });
    const events = feed(reader(4096), bytes(`${doc}\n{"type":"job_request","timestamp":"t","data":{}}\n`), [500]);
    expect(itemsOf(events)).toEqual(list);
    expect(parts(events).at(-1)!.value).toMatchObject({ type: 'job_request' });
    expect(parts(events)[0]!.value).toMatchObject({ job_id: 'disc-2' });
  });

  it('refuses, with the reason, what it cannot take in parts; the stream goes on', () => {
    const after = '{"type":"job_request","timestamp":"t","data":{}}';
    const cases: [string, RegExp][] = [
      // the id after the items: they cannot be placed without holding them all
      [JSON.stringify({ type: 'jobs_discovered', data: { discovered_jobs: list }, jobId: 'late' }), /was discarded: only a jobs_discovered whose type and job id come before its items/],
      // another message type
      [JSON.stringify({ type: 'job_progress', jobId: 'x', data: { discovered_jobs: list } }), /was discarded: only a jobs_discovered/],
      // one item larger than the limit
      [wild([list[0], { job_type: 'crawl_project', entity_id: '1', entity_name: 'x'.repeat(5000), priority: 1 }]), /its item discovered_jobs\[1\] alone exceeds maxMessageSize/],
      // the message is oversized by another field than its items: only the items may be many
      [JSON.stringify({ type: 'jobs_discovered', jobId: 'x', data: { discovered_jobs: list.slice(0, 3) }, pad: 'p'.repeat(5000) }), /was discarded: its fields other than discovered_jobs exceed maxMessageSize/],
      // deep nesting inside an item
      [wild([...list.slice(0, 40), { deep: JSON.parse('['.repeat(100) + ']'.repeat(100)) as unknown }]), /nests deeper than 64 levels/],
    ];
    for (const [message, reason] of cases) {
      const events = feed(reader(4096), bytes(message + after), [333]);
      const oversized = events.find((e) => e.kind === 'oversized');
      expect(oversized, message.slice(0, 60)).toMatchObject({ kind: 'oversized', reason: expect.stringMatching(reason) });
      expect(parts(events).at(-1)!.value).toMatchObject({ type: 'job_request' });
    }
  });

  it('hands on only parts within the message depth limit, so decoding may skip its own walk (depthBounded)', () => {
    const nest = (n: number): unknown => {
      let v: unknown = 1;
      for (let i = 0; i < n; i++) v = i % 2 ? { a: v } : [v];
      return v;
    };
    let handed = 0;
    let refused = 0;
    // Around the limit, in an item, in a field of data and in a field of the message (each part carries those).
    for (let d = MAX_MESSAGE_DEPTH - 6; d <= MAX_MESSAGE_DEPTH + 2; d++) {
      for (const message of [
        wild([...list.slice(0, 40), { ...list[40]!, deep: nest(d) }]),
        JSON.stringify({ type: 'jobs_discovered', jobId: 'x', data: { meta: nest(d - 1), discovered_jobs: list.slice(0, 60) } }),
        JSON.stringify({ type: 'jobs_discovered', jobId: 'x', meta: nest(d), data: { discovered_jobs: list.slice(0, 60) } }),
      ]) {
        const events = feed(reader(4096, 16), bytes(message), [500]);
        for (const e of parts(events)) {
          expect(e.depthBounded).toBe(true);
          expect(exceedsDepth(e.value, MAX_MESSAGE_DEPTH), `depth ${d}`).toBe(false);
          expect(decodeCrawlerMessage(e.value, { depthBounded: true })).toEqual(decodeCrawlerMessage(e.value));
          handed++;
        }
        if (events.some((e) => e.kind === 'oversized')) refused++;
      }
    }
    // Both sides of the limit were met: parts handed on near it, and messages refused past it.
    expect(handed).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(3);
  });

  it('a message cut off by the end of the stream keeps the items before the cut and says so', () => {
    const cut = text.slice(0, Math.floor(text.length * 0.6));
    const events = feed(reader(4096, 50), bytes(cut), [1024]);
    const got = itemsOf(events);
    expect(got.length).toBeGreaterThan(100);
    expect(got).toEqual(list.slice(0, got.length));
    expect(events.at(-1)).toMatchObject({ kind: 'oversized', reason: expect.stringMatching(`ended before its closing brace; the ${got.length} items`) });
  });

  it('holds at most one part and one item, whatever the message size', () => {
    const big = items(20_000);
    const input = bytes(wild(big));
    const r = reader(8192, 200);
    let most = 0;
    let count = 0;
    for (let off = 0; off < input.length; off += 4096) {
      const out: FrameEvent[] = [];
      r.push(input.subarray(off, off + 4096), out);
      count += itemsOf(out).length;
      most = Math.max(most, r.bufferedBytes);
    }
    r.flush();
    expect(count).toBe(20_000);
    expect(input.length).toBeGreaterThan(2_000_000);
    // The reader itself holds nothing of a split object (the splitter's part is bounded by maxBytes, checked above).
    expect(most).toBeLessThanOrEqual(8192);
  });

  it('survives mutated messages: every event is a part or a refusal, each part a jobs_discovered of bounded size', () => {
    const random = mulberry32(20261202);
    const base = bytes(text);
    const symbols = bytes('{}[]",:\\ x1');
    for (let round = 0; round < 300; round++) {
      const input = base.slice();
      for (let k = 0, n = 1 + Math.floor(random() * 8); k < n; k++) input[Math.floor(random() * input.length)] = symbols[Math.floor(random() * symbols.length)]!;
      const events = feed(reader(4096, 64), input, [1 + Math.floor(random() * 3000)]);
      for (const e of events) {
        if (e.kind === 'line') {
          if (e.text !== '') continue; // an object the mutation ended early, then the rest: framed as before
          expect(e.value).toMatchObject({ type: 'jobs_discovered', data: { discovered_jobs: expect.any(Array) } });
          expect((e.value!.data as { discovered_jobs: unknown[] }).discovered_jobs.length).toBeLessThanOrEqual(64);
        } else {
          expect(['oversized', 'garbage', 'not_an_object', 'invalid_encoding']).toContain(e.kind);
        }
      }
    }
  });

  describe('with orderBy (the console: entity id)', () => {
    // Ids in no order, some listed twice (the first listed must stay first among equals), one item without an id.
    const scattered = items(2_000).map((item, i) => ({ ...item, entity_id: String((Math.imul(i % 1_900, 0x9e3779b1) >>> 0) % 100_000) }));
    (scattered as unknown[])[1_234] = { job_type: 'crawl_project', priority: 1 };
    const input = bytes(wild(scattered));
    const sorted = (maxBytes: number, batchItems: number, windowItems: number) =>
      new FrameReader({ maxMessageBytes: maxBytes, parse: true, split: () => new DiscoverySplitter({ maxBytes, batchItems, windowItems, orderBy: discoveredEntityKey }) });
    const handed = (events: FrameEvent[]) =>
      parts(events).flatMap((e) => {
        const data = e.value!.data as { discovered_jobs: unknown[]; items_index: number[] };
        expect(data.items_index).toHaveLength(data.discovered_jobs.length);
        return data.discovered_jobs.map((item, k) => ({ item, index: data.items_index[k]! }));
      });

    it('hands on each window of the message sorted by the key, stably, every item once with its index, in bounded parts', () => {
      for (const sizes of [[input.length], [4096], [1, 5000, 3]]) {
        const events = feed(sorted(8192, 64, 320), input, sizes);
        expect(events.filter((e) => e.kind !== 'line')).toEqual([]);
        const got = handed(events);
        for (const { item, index } of got) expect(item).toEqual(scattered[index]);
        expect(got.map((g) => g.index).sort((a, b) => a - b)).toEqual(scattered.map((_, i) => i));
        // Windows (320 items, or twice maxBytes of them) follow the listing: the items handed on are always a
        // prefix of the message, so a window ends where the indices so far are exactly 0..end-1. Inside a
        // window, the items are ordered by (key, index).
        let start = 0;
        let windows = 0;
        while (start < got.length) {
          let end = start;
          let most = -1;
          do most = Math.max(most, got[end++]!.index);
          while (most !== end - 1);
          expect(end - start).toBeLessThanOrEqual(320);
          windows++;
          const window = got.slice(start, end);
          const want = [...window].sort((a, b) => {
            const ka = discoveredEntityKey(a.item);
            const kb = discoveredEntityKey(b.item);
            return ka < kb ? -1 : ka > kb ? 1 : a.index - b.index;
          });
          expect(window).toEqual(want);
          start = end;
        }
        expect(windows).toBeGreaterThan(2_000 / 320);
        expect(windows).toBeLessThan(2_000 / 100); // windows, not single items: sorted across parts
        for (const e of parts(events)) expect((e.value!.data as { discovered_jobs: unknown[] }).discovered_jobs.length).toBeLessThanOrEqual(64);
      }
    });

    it('holds at most one window of items, and names a refused item by its index in the message', () => {
      // Where each item ends in the message: an item is complete, and may be held, once its bytes have arrived.
      const head = wild([]).indexOf('[') + 1;
      const ends: number[] = [];
      let at = head;
      for (const item of scattered) {
        at += bytes(JSON.stringify(item)).length;
        ends.push(at);
        at += 1; // the comma
      }
      const r = sorted(16 * 1024, 50, 200);
      let handedOn = 0;
      let most = 0;
      const events: FrameEvent[] = [];
      for (let off = 0; off < input.length; off += 1000) {
        const out: FrameEvent[] = [];
        r.push(input.subarray(off, off + 1000), out);
        events.push(...out);
        handedOn += handed(out).length;
        const complete = ends.filter((e) => e <= off + 1000).length;
        most = Math.max(most, complete - handedOn);
      }
      r.flush(events);
      expect(handed(events)).toHaveLength(2_000);
      // A window (200 items) is held, not only a part (50); before it knows the message is oversized the reader
      // itself holds up to maxBytes (about 130 of these items).
      expect(most).toBeGreaterThan(150);
      expect(most).toBeLessThan(200);
      const rejected = parts(events).flatMap((e) => {
        const d = decodeCrawlerMessage(e.value);
        return d.ok && d.message.type === 'jobs_discovered' ? d.message.data.rejected_items.map((x) => x.index) : [];
      });
      expect(rejected).toEqual([1_234]);
    });
  });

  it('without a splitter (before authentication) an oversized message is skipped as before', () => {
    const r = new FrameReader({ maxMessageBytes: 4096, parse: true, split: () => null });
    expect(feed(r, bytes(text), [1000])).toEqual([{ kind: 'oversized', bytes: bytes(text).length }]);
  });
});
