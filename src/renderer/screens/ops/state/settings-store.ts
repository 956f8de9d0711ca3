/**
 * The Settings screen: what the person has typed (as text, per field) over the
 * running configuration (a query, read each time the screen opens), and the
 * verdict of the last save. React-free, like the rules it holds (unit-tested under Node).
 */
import { create } from 'zustand';
import { ApiError, type CommandOutput, type PublicConfig, commands } from '../../../../shared/contract';
import { api } from '../../../state/bus';
import { queryClient } from '../../../query/client';
import { queryKeys } from '../../../query/keys';
import { messageOf } from '../format';
import { type EditableKey, FIELD_SPECS, configValues, fromText, toText, validateField } from './settings-fields';

export interface SaveResult {
  changed: string[];
  restartRequired: string[];
}

/** The running configuration and which fields need a restart (a query: Settings.tsx reads it, a save writes it). */
export type RunningConfig = CommandOutput<'getConfig'>;

const runningConfig = (): PublicConfig | null => queryClient.getQueryData<RunningConfig>(queryKeys.config)?.config ?? null;

interface SettingsStore {
  drafts: Readonly<Partial<Record<EditableKey, string>>>;
  /** A refusal from the server, by field (or '' for the form). */
  serverErrors: Readonly<Record<string, string>>;
  saving: boolean;
  result: SaveResult | null;
  /** Options saved since this page opened that wait for a restart. */
  pendingRestart: readonly string[];
  edit(key: EditableKey, text: string): void;
  reset(): void;
  save(): Promise<void>;
}

/** The value each field would get: its draft when edited, else the running value. */
export function draftValues(config: PublicConfig, drafts: Partial<Record<EditableKey, string>>): Record<string, unknown> {
  const values = configValues(config);
  for (const [key, text] of Object.entries(drafts) as [EditableKey, string][]) {
    const spec = FIELD_SPECS.get(key);
    if (spec) values[key] = fromText(spec, text);
  }
  return values;
}

/** Field errors of the current drafts (only edited fields, plus fields whose cross-field check they break). */
export function draftErrors(config: PublicConfig, drafts: Partial<Record<EditableKey, string>>): Partial<Record<EditableKey, string>> {
  const values = draftValues(config, drafts);
  const out: Partial<Record<EditableKey, string>> = {};
  for (const key of FIELD_SPECS.keys()) {
    if (drafts[key] === undefined && !(key === 'heartbeatTimeout' && drafts.heartbeatInterval !== undefined)) continue;
    const message = validateField(key, values[key], values);
    if (message) out[key] = message;
  }
  return out;
}

/** Edited fields whose value differs from the running one. */
export function changedValues(config: PublicConfig, drafts: Partial<Record<EditableKey, string>>): Partial<Record<EditableKey, unknown>> {
  const values = draftValues(config, drafts);
  const current = configValues(config);
  const out: Partial<Record<EditableKey, unknown>> = {};
  for (const key of Object.keys(drafts) as EditableKey[]) {
    if (JSON.stringify(values[key]) !== JSON.stringify(current[key])) out[key] = values[key];
  }
  return out;
}

export const useSettings = create<SettingsStore>()((set, get) => ({
  drafts: {},
  serverErrors: {},
  saving: false,
  result: null,
  pendingRestart: [],
  edit(key, text) {
    const config = runningConfig();
    const drafts = { ...get().drafts };
    const spec = FIELD_SPECS.get(key);
    // Typing the running value back is no edit.
    if (config && spec && text === toText(spec, configValues(config)[key])) delete drafts[key];
    else drafts[key] = text;
    const serverErrors = { ...get().serverErrors };
    delete serverErrors[key];
    set({ drafts, serverErrors, result: null });
  },
  reset() {
    set({ drafts: {}, serverErrors: {}, result: null });
  },
  async save() {
    const config = runningConfig();
    const { drafts } = get();
    if (!config || Object.keys(draftErrors(config, drafts)).length > 0) return;
    // The command's own schema checks the change once more; only the edited options are sent.
    const changes = commands.updateConfig.input.safeParse(changedValues(config, drafts));
    if (!changes.success) {
      set({ serverErrors: { '': changes.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') } });
      return;
    }
    set({ saving: true, serverErrors: {} });
    try {
      const out = await api().updateConfig(changes.data);
      const pendingRestart = [...new Set([...get().pendingRestart, ...out.restart_required])];
      queryClient.setQueryData<RunningConfig>(queryKeys.config, (old) => (old ? { ...old, config: out.config } : old));
      set({ drafts: {}, saving: false, result: { changed: out.changed, restartRequired: out.restart_required }, pendingRestart });
    } catch (error) {
      const field = error instanceof ApiError ? fieldOf(error.details) : null;
      set({ saving: false, serverErrors: { [field ?? '']: messageOf(error) } });
    }
  },
}));

/** ConfigError details are `{ field }`; zod details are `[{ path, message }]`. */
function fieldOf(details: unknown): string | null {
  if (details && typeof details === 'object' && !Array.isArray(details)) {
    const field = (details as { field?: unknown }).field;
    return typeof field === 'string' && FIELD_SPECS.has(field as EditableKey) ? field : null;
  }
  if (Array.isArray(details)) {
    const path = (details[0] as { path?: unknown } | undefined)?.path;
    return typeof path === 'string' && FIELD_SPECS.has(path as EditableKey) ? path : null;
  }
  return null;
}
