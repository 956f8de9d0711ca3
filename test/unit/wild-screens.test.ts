/**
 * The screen rules issue 10 adds: anonymous crawlers folded into one line,
 * a credential's expiry and state, and the Assign screen's word for a crawler
 * that only takes work when it asks.
 */
import { describe, expect, it } from 'vitest';
import type { CrawlerView } from '../../src/shared/contract';
import type { Credential } from '../../src/shared/records';
import type { CrawlerLine } from '../../src/renderer/screens/ops/state/crawler-health';
import {
  DEFAULT_ANONYMOUS_RETENTION_MS,
  foldAnonymous,
  ghostSummary,
  loadAnonymousRetention,
} from '../../src/renderer/screens/ops/state/anonymous-crawlers';
import { credentialState, parseExpiry } from '../../src/renderer/screens/ops/state/credential-state';
import { asksForWork } from '../../src/renderer/screens/jobs/handover';

const line = (crawler_id: string, connected: boolean, said_hello = false): CrawlerLine =>
  ({ crawler_id, connected, connection: connected ? { said_hello } : null }) as unknown as CrawlerLine;
const record = (crawler_id: string, anonymous: boolean): CrawlerView => ({ crawler_id, anonymous }) as unknown as CrawlerView;

describe('anonymous crawlers on the Crawlers screen', () => {
  it('folds disconnected anonymous crawlers into one line; connected and named ones keep their rows', () => {
    const lines = [line('crawler-aaaa1111', true), line('crawler-bbbb2222', false), line('crawler-cccc3333', false), line('named', false)];
    const records = { 'crawler-aaaa1111': record('crawler-aaaa1111', true), 'crawler-bbbb2222': record('crawler-bbbb2222', true), 'crawler-cccc3333': record('crawler-cccc3333', true), named: record('named', false) };
    const { rows, ghosts } = foldAnonymous(lines, records);
    expect(rows.map((l) => l.crawler_id)).toEqual(['crawler-aaaa1111', 'named']);
    expect(ghosts.map((l) => l.crawler_id)).toEqual(['crawler-bbbb2222', 'crawler-cccc3333']);
    expect(ghostSummary(ghosts.length, 0, '10 minutes')).toBe('2 anonymous crawlers reconnected');
    expect(ghostSummary(1, 40, '1 hour')).toBe('1 anonymous crawler reconnected (40 more disconnected over 1 hour ago not listed)');
  });

  it('keeps the retention the operator chose, and falls back to the default for anything else', () => {
    expect(loadAnonymousRetention({ getItem: () => '3600000' })).toBe(3_600_000);
    expect(loadAnonymousRetention({ getItem: () => '12345' })).toBe(DEFAULT_ANONYMOUS_RETENTION_MS);
    expect(loadAnonymousRetention({ getItem: () => null })).toBe(DEFAULT_ANONYMOUS_RETENTION_MS);
  });
});

describe('credential expiry and state', () => {
  const cred = (over: Partial<Credential>): Credential => ({ id: 'c', gitlab_host: 'h', label: 'l', token_hint: '••••', cipher_kind: 'k', created_at: 0, updated_at: 0, ...over });

  it('reads a date as the start of that day, UTC; refuses a past or malformed one; empty means unknown', () => {
    expect(parseExpiry('')).toEqual({});
    expect(parseExpiry('2999-12-31')).toEqual({ at: Date.UTC(2999, 11, 31) });
    expect(parseExpiry('2001-01-01').error).toMatch(/future/);
    expect(parseExpiry('31.12.2999').error).toMatch(/a date such as/);
  });

  it('says whether the token may still work', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(credentialState(cred({}), now).text).toBe('Usable');
    expect(credentialState(cred({ expires_at: now + 86_400_000 }), now)).toMatchObject({ text: 'Expires soon', tone: 'warn' });
    expect(credentialState(cred({ expires_at: now }), now)).toMatchObject({ text: 'Expired', tone: 'bad' });
    expect(credentialState(cred({ rejected_at: now, rejected_reason: 'GitLab refused it for job j' }), now)).toEqual({ text: 'Refused by GitLab for a job', tone: 'warn', title: 'GitLab refused it for job j' });
  });
});

describe('assigning to a crawler that never said hello', () => {
  it('is recognised from its connection', () => {
    expect(asksForWork({ connection: { said_hello: false } })).toBe(true);
    expect(asksForWork({ connection: { said_hello: true } })).toBe(false);
    expect(asksForWork({ connection: null })).toBe(false);
    expect(asksForWork(undefined)).toBe(false);
  });
});
