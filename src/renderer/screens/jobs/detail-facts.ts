/**
 * Pure rules behind a job's detail (no DOM): unit-tested.
 */
import type { Credential } from '../../../shared/records';

/** Percentage points by which a crawler's completion and its item counts may differ before the page says so. */
export const DISAGREEMENT_TOLERANCE = 0.1;

/**
 * A crawler's completion and its item counts that contradict each other (it says
 * 99 % done with 608 of 1,168 items processed): the counts' own fraction, or null
 * when they agree within DISAGREEMENT_TOLERANCE or one of them is not known.
 * Only a completion ahead of the counts contradicts them: one behind is what a
 * crawler reports while entity types it has not reached yet are missing from the total.
 */
export function figuresDisagree(completion: number | null | undefined, processed: number, total: number | null): { itemsFraction: number } | null {
  if (completion === null || completion === undefined || !Number.isFinite(completion) || total === null || !(total > 0)) return null;
  const itemsFraction = Math.min(1, processed / total);
  return completion - itemsFraction > DISAGREEMENT_TOLERANCE ? { itemsFraction } : null;
}

/** A saved credential as people name it: “work token” (gitlab.example.com, ••••abcd). */
export function credentialLabel(c: Pick<Credential, 'label' | 'gitlab_host' | 'token_hint'>): string {
  return `${c.label || 'unnamed'} (${c.gitlab_host}, ${c.token_hint})`;
}
