/** A saved credential's expiry and state as the Credentials screen shows them (pure). */
import { commands } from '../../../../shared/contract';
import type { Credential } from '../../../../shared/records';

const SaveInput = commands.saveCredential.input;

/**
 * A token's expiry as GitLab shows it (a date): the start of that day, UTC, in
 * epoch ms. '' → undefined (no known expiry); a bad or past date → an error text.
 */
export function parseExpiry(value: string): { at?: number; error?: string } {
  if (value.trim() === '') return {};
  const at = Date.parse(`${value}T00:00:00Z`);
  if (!Number.isFinite(at)) return { error: 'a date such as 2026-12-31' };
  const r = SaveInput.shape.expires_at.safeParse(at);
  return r.success ? { at } : { error: r.error.issues[0]?.message ?? 'not a valid expiry' };
}

/** Whether a credential's token may still work, as a short text for its row. */
export function credentialState(c: Credential, now: number): { text: string; tone: 'ok' | 'warn' | 'bad'; title?: string } {
  if (c.expires_at && c.expires_at <= now) return { text: 'Expired', tone: 'bad' };
  // The jobs it failed for wait for a new token; the others still use it.
  if (c.rejected_at) return { text: 'Refused by GitLab for a job', tone: 'warn', title: c.rejected_reason ?? undefined };
  if (c.expires_at && c.expires_at - now < 7 * 86_400_000) return { text: 'Expires soon', tone: 'warn' };
  return { text: 'Usable', tone: 'ok' };
}
