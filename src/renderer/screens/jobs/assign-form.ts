/**
 * The Assign job form's rules, pure (no DOM): what the form's fields become as
 * createJob's input, and the field messages — from CreateJobInputSchema, the
 * very schema the core validates with, plus the choices only the form has
 * (which credential source, which target). Unit-tested.
 */
import { type CreateJobInput, CreateJobInputSchema, issueText } from '../../../shared/contract';

export type CredentialMode = 'saved' | 'token' | 'auto';
export type TargetMode = 'queue' | 'crawler';

export interface AssignFormValues {
  job_type: string;
  gitlab_host: string;
  credential_mode: CredentialMode;
  credential_id: string;
  access_token: string;
  credential_label: string;
  entity_id: string;
  namespace_path: string;
  priority: string;
  target: TargetMode;
  crawler_id: string;
}

export type FieldName = keyof AssignFormValues | 'form';
export type FieldErrors = Partial<Record<FieldName, string>>;

export const INITIAL_FORM: AssignFormValues = {
  job_type: 'crawl_project',
  gitlab_host: '',
  credential_mode: 'auto',
  credential_id: '',
  access_token: '',
  credential_label: '',
  entity_id: '',
  namespace_path: '',
  priority: '1',
  target: 'queue',
  crawler_id: '',
};

/** The form as createJob's raw input: empty fields left out, the unchosen credential source and target dropped. */
export function toInput(f: AssignFormValues): Record<string, unknown> {
  const priority = f.priority.trim() === '' ? undefined : Number(f.priority);
  return {
    job_type: f.job_type,
    gitlab_host: f.gitlab_host,
    ...(f.credential_mode === 'saved' && f.credential_id && { credential_id: f.credential_id }),
    ...(f.credential_mode === 'token' && { access_token: f.access_token }),
    ...(f.credential_mode === 'token' && f.credential_label.trim() && { credential_label: f.credential_label }),
    ...(f.entity_id.trim() && { entity_id: f.entity_id }),
    ...(f.namespace_path.trim() && { namespace_path: f.namespace_path }),
    ...(priority !== undefined && { priority }),
    ...(f.target === 'crawler' && f.crawler_id && { crawler_id: f.crawler_id }),
  };
}

/** Which form field a schema path (or an ApiError detail's path) belongs to. */
export function fieldForPath(path: string): FieldName {
  const head = path.split('.')[0] ?? '';
  if (head === 'crawler_id') return 'crawler_id';
  if (head === 'credential_id') return 'credential_id';
  if (head in INITIAL_FORM) return head as FieldName;
  return 'form';
}

export type Validation = { ok: true; input: CreateJobInput; errors: FieldErrors } | { ok: false; errors: FieldErrors };

export function validate(f: AssignFormValues): Validation {
  const errors: FieldErrors = {};
  if (f.priority.trim() !== '' && !/^-?\d+$/.test(f.priority.trim())) errors.priority = 'Priority is a whole number from −1000 to 1000.';
  if (f.credential_mode === 'saved' && !f.credential_id) errors.credential_id = 'choose a saved credential (or enter a token)';
  if (f.credential_mode === 'token' && f.access_token.trim() === '') errors.access_token = 'enter the GitLab token (or pick a saved credential)';
  if (f.target === 'crawler' && !f.crawler_id) errors.crawler_id = 'choose a crawler (or queue the job)';
  const parsed = CreateJobInputSchema.safeParse(toInput(f));
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = fieldForPath(issue.path.map(String).join('.'));
      errors[field] ??= issueText(issue, CreateJobInputSchema);
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, input: parsed.data, errors };
}

/** The server's verdict (ApiError details of invalid_input: [{ path, message }]) as field messages. */
export function fieldErrorsFromDetails(details: unknown): FieldErrors {
  const out: FieldErrors = {};
  if (!Array.isArray(details)) return out;
  for (const d of details) {
    if (!d || typeof d !== 'object') continue;
    const { path, message } = d as { path?: unknown; message?: unknown };
    if (typeof message !== 'string') continue;
    out[fieldForPath(typeof path === 'string' ? path : '')] ??= message;
  }
  return out;
}

/** Hosts compared as the console compares them: no scheme, no trailing slash, any case. */
export function sameHost(a: string, b: string): boolean {
  const norm = (h: string) => h.trim().replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '').toLowerCase();
  return norm(a) === norm(b);
}
