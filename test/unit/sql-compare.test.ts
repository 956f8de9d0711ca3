/**
 * A rare term's page is ordered in JavaScript (job-list's listed plan): the order must be SQLite's
 * to the byte, or a page would differ from the query's. The oracle is SQLite's own ORDER BY.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { sqlCompare } from '../../src/main/store/job-list';

describe('sqlCompare orders values as SQLite does', () => {
  it('NULLs, integers, reals, text (by UTF-8 bytes, surrogate pairs and all) and blobs', () => {
    const values: unknown[] = [
      null, null, 0, -1, 1, 1.5, 2 ** 40, -0.25, 3, 3.0,
      '', 'a', 'A', 'ab', 'a\u0000b', 'Z', 'z', '~', 'é', 'Ä', 'Ärger', '\u00ff', '\u0800', '\ud7ff', '\ue000', '\uffff',
      '😀', '😀a', '\ud83d\ude00\ue000', 'a😀', 'a\uffff', '100%', 'GitLab', 'gitlab',
      Buffer.from([1, 2]), Buffer.from([1]), Buffer.from([0xff]),
    ];
    const db = new Database(':memory:');
    db.exec('CREATE TABLE v (i INTEGER PRIMARY KEY, x)');
    const insert = db.prepare('INSERT INTO v (i, x) VALUES (?, ?)');
    values.forEach((x, i) => insert.run(i, x as never));
    for (const dir of ['ASC', 'DESC'] as const) {
      const want = (db.prepare(`SELECT i FROM v ORDER BY x ${dir}, i ${dir}`).pluck().all() as number[]);
      const sign = dir === 'ASC' ? 1 : -1;
      const got = values.map((_, i) => i).sort((a, b) => sign * (sqlCompare(values[a], values[b]) || a - b));
      expect(got).toEqual(want);
    }
    db.close();
  });
});
