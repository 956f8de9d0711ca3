/**
 * GitLab credentials. Tokens are stored only as ciphertext (see token-cipher);
 * everything this module returns is masked, except `getCredentialToken`, whose
 * result must go nowhere but to the crawler that needs it.
 */
import crypto from 'node:crypto';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { FINAL_JOB_STATUSES } from '../../shared/jobs';
import { StoreError } from './errors';
import { CredentialSchema, rowDecoder, type Credential } from './records';
import { rememberSecret } from './redact';
import type { TokenCipher } from './token-cipher';
import { scrubSecretText } from './redact';
import { parseInput } from './validate';

export const SaveCredentialSchema = z.object({
  /** Replace this credential's host, label and token; a new credential when absent. */
  id: z.string().min(1).optional(),
  gitlab_host: z.string().trim().min(1).max(500),
  label: z.string().trim().max(200).default(''),
  token: z
    .string()
    .min(1)
    .max(4096)
    .refine((t) => t.trim().length > 0 && !/[\u0000-\u001f\u007f]/.test(t), 'must be non-blank text on one line'),
  /** When the token expires (epoch ms), if known. A replaced token starts without the old one's expiry. */
  expires_at: z.number().int().positive().nullish(),
});
export type SaveCredentialInput = z.input<typeof SaveCredentialSchema>;

/**
 * The form hosts are stored and looked up in: no scheme, no trailing slash,
 * host name in lower case ("https://GitLab.example.com/" → "gitlab.example.com").
 * A path (GitLab under a relative URL root) is kept.
 */
export function normalizeHost(host: string): string {
  const bare = host.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/+$/, '');
  const slash = bare.indexOf('/');
  return slash < 0 ? bare.toLowerCase() : bare.slice(0, slash).toLowerCase() + bare.slice(slash);
}

/** "••••abcd": the last four characters, and none of a short token (they would be most of it). */
export const tokenHint = (token: string): string => (token.length >= 12 ? `••••${token.slice(-4)}` : '••••');

const COLUMNS = 'id, gitlab_host, label, token_hint, cipher_kind, created_at, updated_at, expires_at, token_version, rejected_at, rejected_reason';

/** Which credential and token version a job was last handed (see `recordHandout`). */
export interface TokenHandout {
  credential_id: string;
  token_version: number;
}
/** A handout as stored: `refused` once the crawler said GitLab refused that token for the job. */
export interface StoredHandout extends TokenHandout {
  refused: boolean;
}
const decode = rowDecoder(CredentialSchema, []);

export class CredentialsRepo {
  private readonly insertStmt: Database.Statement;
  private readonly updateStmt: Database.Statement;
  private readonly getStmt: Database.Statement;
  private readonly secretStmt: Database.Statement;
  private readonly forHostStmt: Database.Statement;
  private readonly listStmt: Database.Statement;
  private readonly inUseStmt: Database.Statement;
  private readonly deleteStmt: Database.Statement;
  private readonly usableForHostStmt: Database.Statement;
  private readonly replaceTokenStmt: Database.Statement;
  private readonly rejectStmt: Database.Statement;
  private readonly handoutStmt: Database.Statement;
  private readonly getHandoutStmt: Database.Statement;
  private readonly refuseHandoutStmt: Database.Statement;
  private readonly unfinishedJobsStmt: Database.Statement;

  readonly saveCredential: (input: SaveCredentialInput) => Credential;
  /** A new token for an existing credential (a new token version; the jobs that use it follow). */
  readonly replaceToken: (id: string, token: string, expiresAt?: number | null) => Credential;
  /** Remembers which token version each job was handed, in one transaction. */
  readonly recordHandouts: (rows: readonly ({ job_id: string } & TokenHandout)[]) => void;
  /**
   * Deletes a credential. Refused (StoreError 'in_use') while a job that is not
   * finished uses it, so no queued or running job silently loses its token;
   * finished jobs keep their history and their `credential_id` becomes null.
   * False if there is no such credential.
   */
  readonly deleteCredential: (id: string) => boolean;

  constructor(
    db: Database.Database,
    private readonly cipher: TokenCipher,
    private readonly now: () => number,
  ) {
    this.insertStmt = db.prepare(`
      INSERT INTO credentials (id, gitlab_host, label, token_ciphertext, token_hint, cipher_kind, created_at, updated_at, expires_at)
      VALUES (@id, @gitlab_host, @label, @token_ciphertext, @token_hint, @cipher_kind, @at, @at, @expires_at)
      RETURNING ${COLUMNS}`);
    this.updateStmt = db.prepare(`
      UPDATE credentials SET gitlab_host = @gitlab_host, label = @label, token_ciphertext = @token_ciphertext,
                             token_hint = @token_hint, cipher_kind = @cipher_kind, updated_at = @at,
                             expires_at = @expires_at, token_version = token_version + 1,
                             rejected_at = NULL, rejected_reason = NULL
      WHERE id = @id
      RETURNING ${COLUMNS}`);
    this.getStmt = db.prepare(`SELECT ${COLUMNS} FROM credentials WHERE id = ?`);
    this.secretStmt = db.prepare('SELECT token_ciphertext, cipher_kind FROM credentials WHERE id = ?');
    this.forHostStmt = db.prepare(
      `SELECT ${COLUMNS} FROM credentials WHERE gitlab_host = ? ORDER BY updated_at DESC, rowid DESC LIMIT 1`,
    );
    this.listStmt = db.prepare(`SELECT ${COLUMNS} FROM credentials ORDER BY gitlab_host, label, created_at`);
    const final = FINAL_JOB_STATUSES.map((s) => `'${s}'`).join(', ');
    this.inUseStmt = db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE credential_id = ? AND status NOT IN (${final})`);
    this.deleteStmt = db.prepare('DELETE FROM credentials WHERE id = ?');
    this.unfinishedJobsStmt = db.prepare(`SELECT id FROM jobs WHERE credential_id = ? AND status NOT IN (${final}) ORDER BY created_at, rowid`);
    this.usableForHostStmt = db.prepare(`
      SELECT ${COLUMNS} FROM credentials
      WHERE gitlab_host = ? AND (expires_at IS NULL OR expires_at > ?)
      ORDER BY rejected_at IS NOT NULL, updated_at DESC, rowid DESC`);
    this.replaceTokenStmt = db.prepare(`
      UPDATE credentials SET token_ciphertext = @token_ciphertext, token_hint = @token_hint, cipher_kind = @cipher_kind,
                             updated_at = @at, expires_at = @expires_at, token_version = token_version + 1,
                             rejected_at = NULL, rejected_reason = NULL
      WHERE id = @id
      RETURNING ${COLUMNS}`);
    this.rejectStmt = db.prepare(
      'UPDATE credentials SET rejected_at = @at, rejected_reason = @reason WHERE id = @id AND token_version = @version AND rejected_at IS NULL',
    );
    this.handoutStmt = db.prepare(`
      INSERT INTO job_tokens (job_id, credential_id, token_version, handed_at) VALUES (@job_id, @credential_id, @token_version, @at)
      ON CONFLICT (job_id) DO UPDATE SET credential_id = excluded.credential_id, token_version = excluded.token_version,
                                         handed_at = excluded.handed_at, refused = 0`);
    this.getHandoutStmt = db.prepare('SELECT credential_id, token_version, refused FROM job_tokens WHERE job_id = ?');
    this.refuseHandoutStmt = db.prepare('UPDATE job_tokens SET refused = 1 WHERE job_id = ?');

    this.saveCredential = db.transaction((input: SaveCredentialInput): Credential => {
      // Never echo the input in an error: it holds the token.
      const c = parseInput(SaveCredentialSchema, input, 'credential');
      const params = {
        id: c.id ?? crypto.randomUUID(),
        gitlab_host: normalizeHost(c.gitlab_host),
        label: c.label,
        token_ciphertext: this.cipher.encrypt(c.token),
        token_hint: tokenHint(c.token),
        cipher_kind: this.cipher.kind,
        at: this.now(),
        expires_at: c.expires_at ?? null,
      };
      const row = c.id === undefined ? this.insertStmt.get(params) : this.updateStmt.get(params);
      if (row === undefined) throw new StoreError('not_found', `credential ${c.id} does not exist`);
      // A crawler that echoes this token back (resume state, error text, extras) gets it redacted.
      rememberSecret(c.token);
      return decode(row);
    });

    this.replaceToken = db.transaction((id: string, token: string, expiresAt?: number | null): Credential => {
      const c = parseInput(SaveCredentialSchema.pick({ token: true, expires_at: true }), { token, expires_at: expiresAt }, 'token');
      const row = this.replaceTokenStmt.get({
        id,
        token_ciphertext: this.cipher.encrypt(c.token),
        token_hint: tokenHint(c.token),
        cipher_kind: this.cipher.kind,
        at: this.now(),
        expires_at: c.expires_at ?? null,
      });
      if (row === undefined) throw new StoreError('not_found', `credential ${id} does not exist`);
      return decode(row);
    });

    this.recordHandouts = db.transaction((rows: readonly ({ job_id: string } & TokenHandout)[]) => {
      const at = this.now();
      for (const r of rows) this.handoutStmt.run({ ...r, at });
    });

    this.deleteCredential = db.transaction((id: string): boolean => {
      const { n } = this.inUseStmt.get(id) as { n: number };
      if (n > 0) {
        throw new StoreError(
          'in_use',
          `credential ${id} is used by ${n} unfinished job${n === 1 ? '' : 's'}; move them to another credential (or cancel them) first`,
        );
      }
      return this.deleteStmt.run(id).changes === 1;
    });
  }

  getCredential(id: string): Credential | null {
    const row = this.getStmt.get(id);
    return row === undefined ? null : decode(row);
  }

  /** The plaintext token, or null if there is no such credential. Hand it only to the crawler that needs it. */
  getCredentialToken(id: string): string | null {
    const row = this.secretStmt.get(id) as { token_ciphertext: Buffer; cipher_kind: string } | undefined;
    if (row === undefined) return null;
    if (row.cipher_kind !== this.cipher.kind) {
      throw new StoreError(
        'decrypt_failed',
        `the token of credential ${id} was encrypted by "${row.cipher_kind}", this console uses "${this.cipher.kind}"; save the token again`,
      );
    }
    const token = this.cipher.decrypt(row.token_ciphertext);
    rememberSecret(token);
    return token;
  }

  /**
   * Makes every saved token's exact value known to the redaction (at start-up),
   * so an echo is caught even before the token was handed out in this run.
   * Tokens that cannot be decrypted here are skipped (they cannot be handed out either).
   */
  rememberTokens(): void {
    for (const { id } of this.listStmt.all() as { id: string }[]) {
      try {
        this.getCredentialToken(id);
      } catch {
        // Reported when the token is actually needed (getCredentialToken throws then).
      }
    }
  }

  /** The most recently saved credential for a host (compared in normalized form), or null. */
  findCredentialForHost(host: string): Credential | null {
    const row = this.forHostStmt.get(normalizeHost(host));
    return row === undefined ? null : decode(row);
  }

  /**
   * The credentials for a host not past their known expiry, best first: those
   * GitLab has not refused for any job, then the newest.
   */
  usableCredentialsForHost(host: string, now: number = this.now()): Credential[] {
    return this.usableForHostStmt.all(normalizeHost(host), now).map(decode);
  }

  /**
   * Notes on a credential that GitLab refused its current token (for some job),
   * so the operator sees it. A version already replaced is left alone. True if
   * the note was set now.
   */
  rejectToken(id: string, version: number, reason: string, at: number = this.now()): boolean {
    // The reason quotes the crawler, which may echo the token itself.
    return this.rejectStmt.run({ id, version, reason: scrubSecretText(reason), at }).changes === 1;
  }

  /** The ids of the unfinished jobs that use a credential (what must move before it can be deleted). */
  unfinishedJobIds(id: string): string[] {
    return (this.unfinishedJobsStmt.all(id) as { id: string }[]).map((r) => r.id);
  }

  /** The credential and token version a job was last handed, and whether GitLab refused it; or null. */
  handoutOf(jobId: string): StoredHandout | null {
    const row = this.getHandoutStmt.get(jobId) as (TokenHandout & { refused: number }) | undefined;
    return row === undefined ? null : { credential_id: row.credential_id, token_version: row.token_version, refused: row.refused === 1 };
  }

  /** The token a job was last handed failed for it: it is not handed to that job again. */
  refuseHandout(jobId: string): void {
    this.refuseHandoutStmt.run(jobId);
  }

  /** Every credential, masked. */
  listCredentials(): Credential[] {
    return this.listStmt.all().map(decode);
  }
}
