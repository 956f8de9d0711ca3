/** Saved GitLab credentials, as the console lists them: masked, never the token. */
import { create } from 'zustand';
import type { Credential } from '../../../../shared/records';
import { api } from '../../../state/bus';
import { messageOf } from '../format';

interface CredentialsStore {
  credentials: readonly Credential[];
  loaded: boolean;
  loading: boolean;
  error: string | null;
  load(): Promise<void>;
}

export const useCredentials = create<CredentialsStore>()((set) => ({
  credentials: [],
  loaded: false,
  loading: false,
  error: null,
  async load() {
    set({ loading: true });
    try {
      const { credentials } = await api().listCredentials({});
      set({ credentials, loaded: true, loading: false, error: null });
    } catch (error) {
      set({ loading: false, error: messageOf(error) });
    }
  },
}));
