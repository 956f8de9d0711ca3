/**
 * Saved GitLab credentials, as the console lists them: masked, never the token.
 * One query entry shared by every screen that lists them (Credentials,
 * Schedules, Assign); a change made here refetches it for all of them.
 */
import { useQuery } from '@tanstack/react-query';
import type { Credential } from '../../../../shared/records';
import { api } from '../../../state/bus';
import { queryClient } from '../../../query/client';
import { queryKeys } from '../../../query/keys';

const NONE: readonly Credential[] = [];

export function useCredentials(): { credentials: readonly Credential[]; loaded: boolean; error: string | null } {
  // No event announces a credential saved elsewhere (another tab, the CLI): each screen that shows them asks again when it opens.
  const q = useQuery({ queryKey: queryKeys.credentials, queryFn: () => api().listCredentials({}), refetchOnMount: 'always' });
  return { credentials: q.data?.credentials ?? NONE, loaded: q.isSuccess, error: q.error ? q.error.message : null };
}

/** After a save, a replace, a move or a delete: every list of credentials reloads. */
export const reloadCredentials = (): void => void queryClient.invalidateQueries({ queryKey: queryKeys.credentials });
