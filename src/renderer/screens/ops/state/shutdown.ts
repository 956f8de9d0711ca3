/** The shutdown form's draft and its check with the protocol's own schema (pure). */
import { ShutdownDataSchema } from '../../../../shared/protocol';

export interface ShutdownDraft {
  graceful: boolean;
  seconds: string;
  reason: string;
}

export const DEFAULT_SHUTDOWN: ShutdownDraft = { graceful: true, seconds: '30', reason: '' };

/** The draft as a shutdown message's data, or the field errors (the protocol's own schema decides). */
export function parseShutdown(d: ShutdownDraft): { ok: true; data: { graceful: boolean; timeout_seconds: number; reason?: string } } | { ok: false; errors: Record<string, string> } {
  const seconds = d.seconds.trim() === '' ? NaN : Number(d.seconds);
  const candidate = { graceful: d.graceful, timeout_seconds: seconds, ...(d.reason.trim() !== '' && { reason: d.reason.trim() }) };
  const r = ShutdownDataSchema.safeParse(candidate);
  if (r.success) return { ok: true, data: r.data };
  const errors: Record<string, string> = {};
  for (const i of r.error.issues) {
    const key = String(i.path[0] ?? '');
    errors[key] ??= key === 'timeout_seconds' ? 'a number of seconds from 0 to 86400' : i.message;
  }
  return { ok: false, errors };
}
