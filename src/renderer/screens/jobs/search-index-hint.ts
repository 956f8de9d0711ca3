/**
 * The Jobs screen's word on the search index (issue 14): after a big discovery the
 * console fills its trigram index in the background; searches stay exact meanwhile,
 * only slower. Pure, so the words are unit-tested.
 */
import type { ServerStatus } from '../../../shared/contract';
import { formatCount } from '../../components/format';

/** The hint under the search box, or null when the index is complete (or the console did not say). */
export function searchIndexHint(index: ServerStatus['searchIndex']): string | null {
  if (!index || index.backlog <= 0) return null;
  if (index.failure) return `Search index stopped catching up (${index.failure}): results are complete, searches are slower until it can write again.`;
  const left = `${index.backlogExact ? '' : 'more than '}${formatCount(index.backlog)} ${index.backlog === 1 && index.backlogExact ? 'job' : 'jobs'}`;
  return `Search index catching up (${left} to go): results are complete, searches are slower until it has.`;
}
