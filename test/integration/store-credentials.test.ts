import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createFileKeyCipher,
  normalizeHost,
  openStore,
  StoreError,
  TOKEN_KEY_FILE,
  type Store,
  type TokenCipher,
} from '../../src/main/store';

const posix = process.platform !== 'win32';
let dir: string;
let store: Store;
let cipher: TokenCipher;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'store-cred-'));
  cipher = createFileKeyCipher(dir);
  store = openStore({ dataDir: dir, cipher });
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('file-key token cipher', () => {
  it('creates a 32-byte key file with mode 0600 and reuses it', () => {
    const keyFile = path.join(dir, TOKEN_KEY_FILE);
    const st = fs.statSync(keyFile);
    expect(st.size).toBe(32);
    if (posix) expect(st.mode & 0o777).toBe(0o600);
    const again = createFileKeyCipher(dir);
    expect(again.decrypt(cipher.encrypt('same key'))).toBe('same key');
    expect(fs.statSync(keyFile).mtimeMs).toBe(st.mtimeMs);
  });

  it('writes versioned AES-GCM ciphertext with a fresh IV each time', () => {
    const a = cipher.encrypt('glpat-secret');
    const b = cipher.encrypt('glpat-secret');
    expect(a[0]).toBe(1);
    expect(a.length).toBe(1 + 12 + 16 + Buffer.byteLength('glpat-secret'));
    expect(a.equals(b)).toBe(false);
    expect(a.includes(Buffer.from('glpat-secret'))).toBe(false);
    expect(cipher.decrypt(a)).toBe('glpat-secret');
    expect(cipher.kind).toBe('file-key-aes-256-gcm');
    expect(cipher.isSecure).toBe(false);
  });

  it('refuses tampered ciphertext, unknown versions and another key', () => {
    const c = cipher.encrypt('token-value');
    const tampered = Buffer.from(c);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => cipher.decrypt(tampered)).toThrow(expect.objectContaining({ code: 'decrypt_failed' }));
    const v2 = Buffer.from(c);
    v2[0] = 2;
    expect(() => cipher.decrypt(v2)).toThrow(/unknown format/);
    const otherDir = fs.mkdtempSync(path.join(os.tmpdir(), 'store-cred-other-'));
    try {
      expect(() => createFileKeyCipher(otherDir).decrypt(c)).toThrow(StoreError);
    } finally {
      fs.rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it.skipIf(!posix)('refuses a key file readable by group or others, saying how to fix it', () => {
    const keyFile = path.join(dir, TOKEN_KEY_FILE);
    fs.chmodSync(keyFile, 0o644);
    expect(() => createFileKeyCipher(dir)).toThrow(expect.objectContaining({ code: 'key_file_insecure' }));
    expect(() => createFileKeyCipher(dir)).toThrow(/mode 0644.*chmod 600/);
    fs.chmodSync(keyFile, 0o640);
    expect(() => createFileKeyCipher(dir)).toThrow(StoreError);
    fs.chmodSync(keyFile, 0o600);
    expect(() => createFileKeyCipher(dir)).not.toThrow();
  });

  it('refuses a key file of the wrong size', () => {
    const keyFile = path.join(dir, TOKEN_KEY_FILE);
    fs.writeFileSync(keyFile, Buffer.alloc(16), { mode: 0o600 });
    expect(() => createFileKeyCipher(dir)).toThrow(expect.objectContaining({ code: 'key_file_invalid' }));
  });
});

describe('credentials', () => {
  const token = 'glpat-Zx9Yw8Vu7Ts6Rq5Po4Nm';

  it('returns masked records only, and decrypts the token on request', () => {
    const saved = store.credentials.saveCredential({ gitlab_host: 'https://GitLab.Example.com/', label: 'research', token });
    expect(saved).toEqual({
      id: saved.id,
      gitlab_host: 'gitlab.example.com',
      label: 'research',
      token_hint: '••••4Nm'.replace('4Nm', token.slice(-4)),
      cipher_kind: cipher.kind,
      created_at: saved.created_at,
      updated_at: saved.updated_at,
      // issue 10: the token's known expiry, its version and whether GitLab refused it
      expires_at: null,
      token_version: 1,
      rejected_at: null,
      rejected_reason: null,
    });
    expect(saved.token_hint).toBe('••••o4Nm');
    const listed = store.credentials.listCredentials();
    expect(listed).toEqual([saved]);
    expect(JSON.stringify(listed)).not.toContain(token);
    expect(Object.keys(listed[0]!)).not.toContain('token_ciphertext');
    expect(store.credentials.getCredentialToken(saved.id)).toBe(token);
    expect(store.credentials.getCredentialToken('missing')).toBeNull();
    const raw = store.db.prepare('SELECT token_ciphertext FROM credentials').get() as { token_ciphertext: Buffer };
    expect(Buffer.isBuffer(raw.token_ciphertext)).toBe(true);
    expect(raw.token_ciphertext.includes(Buffer.from(token))).toBe(false);
  });

  it('shows no characters of a short token', () => {
    expect(store.credentials.saveCredential({ gitlab_host: 'h', label: '', token: 'abc12345' }).token_hint).toBe('••••');
  });

  it('finds the newest credential for a host in any spelling, and rotates a token by id', () => {
    let t = 1_000;
    const s2 = openStore({ file: path.join(dir, 'other.db'), cipher, now: () => t });
    try {
      const old = s2.credentials.saveCredential({ gitlab_host: 'gitlab.example.com', label: 'old', token: 'old-token-aaaaaaaa' });
      t += 10;
      const fresh = s2.credentials.saveCredential({ gitlab_host: 'GITLAB.example.com', label: 'new', token: 'new-token-bbbbbbbb' });
      s2.credentials.saveCredential({ gitlab_host: 'other.host', label: 'x', token: 'x-token-cccccccccc' });
      expect(s2.credentials.findCredentialForHost('https://gitlab.example.com/')?.id).toBe(fresh.id);
      expect(s2.credentials.findCredentialForHost('nowhere.example')).toBeNull();
      t += 10;
      const rotated = s2.credentials.saveCredential({ id: old.id, gitlab_host: 'gitlab.example.com', label: 'old', token: 'rotated-token-dddd' });
      expect(rotated).toMatchObject({ id: old.id, created_at: 1_000, updated_at: 1_020, token_hint: '••••dddd' });
      expect(s2.credentials.getCredentialToken(old.id)).toBe('rotated-token-dddd');
      expect(s2.credentials.findCredentialForHost('gitlab.example.com')?.id).toBe(old.id);
      expect(() => s2.credentials.saveCredential({ id: 'missing', gitlab_host: 'h', token: 'abcdefgh' })).toThrow(
        expect.objectContaining({ code: 'not_found' }),
      );
    } finally {
      s2.close();
    }
  });

  it('validates input without echoing the token', () => {
    const bad = 'line-one\nline-two-secret';
    let err: unknown;
    try {
      store.credentials.saveCredential({ gitlab_host: 'h', label: 'l', token: bad });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'invalid' });
    expect(String((err as Error).message)).not.toContain('line-two-secret');
    expect(() => store.credentials.saveCredential({ gitlab_host: ' ', label: 'l', token: 'abcdefgh' })).toThrow(StoreError);
    expect(store.credentials.listCredentials()).toEqual([]);
  });

  it('refuses to delete a credential an unfinished job uses; finished jobs let go of it', () => {
    const cred = store.credentials.saveCredential({ gitlab_host: 'h', label: 'l', token });
    const job = store.jobs.insertJob({ job_type: 'crawl_project', gitlab_host: 'h', credential_id: cred.id, status: 'running' });
    expect(() => store.credentials.deleteCredential(cred.id)).toThrow(expect.objectContaining({ code: 'in_use' }));
    expect(() => store.credentials.deleteCredential(cred.id)).toThrow(/used by 1 unfinished job/);
    expect(store.credentials.getCredential(cred.id)).not.toBeNull();
    store.jobs.transition(job.id, ['running'], { status: 'completed' }, { kind: 'completed' });
    expect(store.credentials.deleteCredential(cred.id)).toBe(true);
    expect(store.credentials.deleteCredential(cred.id)).toBe(false);
    expect(store.jobs.getJob(job.id)?.credential_id).toBeNull();
  });

  it('refuses to decrypt a token written by another kind of cipher', () => {
    const other: TokenCipher = { kind: 'test-other', isSecure: true, encrypt: (p) => Buffer.from(p).reverse(), decrypt: (b) => Buffer.from(b).reverse().toString() };
    const s2 = openStore({ file: store.file, cipher: other });
    try {
      const cred = store.credentials.saveCredential({ gitlab_host: 'h', label: 'l', token });
      expect(() => s2.credentials.getCredentialToken(cred.id)).toThrow(/encrypted by "file-key-aes-256-gcm"/);
    } finally {
      s2.close();
    }
  });

  it('normalizes hosts', () => {
    expect(normalizeHost(' HTTPS://GitLab.Example.COM/ ')).toBe('gitlab.example.com');
    expect(normalizeHost('http://Host.Example/GitLab/')).toBe('host.example/GitLab');
    expect(normalizeHost('gitlab.example.com:8443')).toBe('gitlab.example.com:8443');
  });
});

describe('no token in plaintext on disk', () => {
  it('the db, -wal and -shm files never contain a saved token after job operations', async () => {
    const patToken = 'glpat-PLAINTEXTneverONdisk42';
    const plainToken = 'f3c9a1d07be24e6a9c5d0b1e7f2a8c46'; // no recognisable token format
    const marker = 'group/marker-namespace-for-grep';

    const pat = store.credentials.saveCredential({ gitlab_host: 'gitlab.example.com', label: 'pat', token: patToken });
    const plain = store.credentials.saveCredential({ gitlab_host: 'other.example.com', label: 'plain', token: plainToken });
    expect(store.credentials.getCredentialToken(pat.id)).toBe(patToken);
    expect(store.credentials.getCredentialToken(plain.id)).toBe(plainToken);

    // Job operations, including careless ones that put the token where it must not go.
    const job = await store.createJobFromAssignment({
      job_id: 'job-1',
      job_type: 'discover_namespaces',
      namespace_path: marker,
      gitlab_host: 'gitlab.example.com',
      access_token: patToken,
    });
    await store.createJobFromAssignment({ job_id: 'job-2', job_type: 'crawl_user', gitlab_host: 'other.example.com', access_token: plainToken });
    store.jobs.leaseNextJobs('crawler-1', 2, 60_000);
    store.jobs.transition(
      job.id,
      ['assigned'],
      { status: 'running', message: `using ${patToken}` },
      { kind: 'started', details: { access_token: patToken, token: plainToken, headers: { Authorization: `Bearer ${plainToken}` } } },
    );
    store.jobs.insertDiscoveredJobs(job.id, [
      { job_type: 'crawl_project', entity_id: '1', namespace_path: 'a/b', entity_name: 'b', priority: 1 },
    ]);
    store.progress.upsertProgressBatch([{ job_id: job.id, entity_type: 'project', total_processed: 1 }], [{ job_id: job.id, message: `token ${patToken}` }]);
    store.errors.recordError({
      category: 'authentication',
      severity: 'high',
      message: `GitLab said 401 for PRIVATE-TOKEN: ${plainToken}`,
      context: { accessToken: plainToken, request: { private_token: patToken, url: 'https://gitlab.example.com/api/v4' } },
      job_id: job.id,
    });
    store.jobs.transition('job-2', ['assigned'], { status: 'failed', last_error: `401 for ${patToken}` }, { kind: 'failed', reason: `Bearer ${plainToken}` });
    store.crawlers.upsertCrawler({ id: 'crawler-1', name: 'c' });
    store.crawlers.recordHeartbeat({ crawler_id: 'crawler-1', data: { active_jobs: 1, system_status: 'crawling', memory_usage: { auth_token: plainToken } } });

    const files = () => ['', '-wal', '-shm'].map((s) => store.file + s).filter((f) => fs.existsSync(f));
    const grep = (needle: string) => files().filter((f) => fs.readFileSync(f).includes(Buffer.from(needle)));

    // While open (the WAL holds the recent pages) …
    expect(files().map((f) => path.basename(f))).toContain('console.db-wal');
    expect(grep(marker).length).toBeGreaterThan(0); // the grep does see what was written
    expect(grep(patToken)).toEqual([]);
    expect(grep(plainToken)).toEqual([]);
    // … and after closing (checkpointed into the main file).
    store.close();
    expect(grep(marker)).toEqual([store.file]);
    expect(grep(patToken)).toEqual([]);
    expect(grep(plainToken)).toEqual([]);
  });
});
