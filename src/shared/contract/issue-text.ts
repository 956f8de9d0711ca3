/**
 * Validation failures in words for a person, written in one place for every
 * door (the core's dispatch, the forms' own checks): the field by its label and
 * the whole rule with its limits ("Priority is a whole number from −1000 to
 * 1000"), whichever part of the rule failed — never zod's raw "Too big: …".
 */
import { z } from 'zod';

/** Labels of fields whose name does not read well as is. */
const LABELS: Record<string, string> = {
  job_id: 'Job id',
  job_type: 'Job type',
  gitlab_host: 'GitLab host',
  access_token: 'GitLab token',
  credential_id: 'Saved credential',
  credential_label: 'Credential label',
  entity_id: 'Entity id',
  namespace_path: 'Namespace path',
  crawler_id: 'Crawler',
  timeout_seconds: 'Grace time (seconds)',
};

/** "heartbeatTimeout" / "retry_attempts" → "Heartbeat timeout" / "Retry attempts". */
export function fieldLabel(path: readonly PropertyKey[]): string {
  const last = [...path].reverse().find((p) => typeof p === 'string');
  if (typeof last !== 'string') return 'This value';
  if (LABELS[last]) return LABELS[last];
  const words = last.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

type AnySchema = z.core.$ZodType;

/** The schema of the field at `path` inside `root` (through optional, default, pipe …), if it can be found. */
function fieldSchema(root: AnySchema | undefined, path: readonly PropertyKey[]): AnySchema | undefined {
  let s: AnySchema | undefined = root;
  const unwrap = (x: AnySchema | undefined): AnySchema | undefined => {
    for (let i = 0; x && i < 10; i++) {
      const def = (x as { _zod: { def: { type: string; innerType?: AnySchema; in?: AnySchema } } })._zod.def;
      if (def.innerType) x = def.innerType;
      else if (def.type === 'pipe' && def.in) x = def.in;
      else break;
    }
    return x;
  };
  for (const key of path) {
    s = unwrap(s);
    if (s instanceof z.ZodObject && typeof key === 'string') s = s.shape[key] as AnySchema | undefined;
    else if (s instanceof z.ZodArray) s = s.element as AnySchema;
    else return undefined;
  }
  return unwrap(s);
}

const fmt = (n: number): string => (n < 0 ? `−${Math.abs(n)}` : String(n));

/** The whole rule for a number field: "a whole number from −1000 to 1000". */
function numberRule(s: z.ZodNumber, fallback: { min?: number; max?: number }): string {
  const min = Number.isFinite(s.minValue ?? Number.NaN) && Math.abs(s.minValue!) < Number.MAX_SAFE_INTEGER ? s.minValue! : fallback.min;
  const max = Number.isFinite(s.maxValue ?? Number.NaN) && Math.abs(s.maxValue!) < Number.MAX_SAFE_INTEGER ? s.maxValue! : fallback.max;
  const kind = s.isInt ? 'a whole number' : 'a number';
  if (min !== undefined && max !== undefined) return `${kind} from ${fmt(min)} to ${fmt(max)}`;
  if (min !== undefined) return `${kind} of at least ${fmt(min)}`;
  if (max !== undefined) return `${kind} of at most ${fmt(max)}`;
  return kind;
}

/** zod's own wording (as opposed to a message a schema author wrote for people). */
const RAW = /^(Too (big|small)|Invalid|Expected|Unrecognized|Required)\b/;

/** One issue as a sentence naming the field and its limits. `schema`: the input schema it came from (for the limits). */
export function issueText(issue: z.core.$ZodIssue, schema?: AnySchema): string {
  const label = fieldLabel(issue.path);
  const field = fieldSchema(schema, issue.path);
  const bound = (issue as { minimum?: unknown; maximum?: unknown });
  if (field instanceof z.ZodNumber) {
    return `${label} is ${numberRule(field, { ...(typeof bound.minimum === 'number' && { min: bound.minimum }), ...(typeof bound.maximum === 'number' && { max: bound.maximum }) })}.`;
  }
  if (!RAW.test(issue.message)) {
    // A message written for people in the schema: prefix the field unless it already names it.
    const m = issue.message;
    return m.toLowerCase().startsWith(label.toLowerCase()) ? `${m.charAt(0).toUpperCase()}${m.slice(1)}.`.replace(/\.\.$/, '.') : `${label}: ${m}.`.replace(/\.\.$/, '.');
  }
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `${label} is required.`;
      if (issue.expected === 'number') return `${label} is a number.`;
      return `${label} should be ${issue.expected === 'string' ? 'text' : issue.expected}.`;
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? `${label} is required.` : `${label} is at least ${fmt(Number(issue.minimum))} characters.`;
      if (issue.origin === 'array') return `${label} needs at least ${fmt(Number(issue.minimum))}.`;
      return `${label} is at least ${fmt(Number(issue.minimum))}.`;
    case 'too_big':
      if (issue.origin === 'string') return `${label} is at most ${fmt(Number(issue.maximum))} characters.`;
      if (issue.origin === 'array') return `${label} takes at most ${fmt(Number(issue.maximum))}.`;
      return `${label} is at most ${fmt(Number(issue.maximum))}.`;
    case 'invalid_value':
      return `${label} is one of: ${issue.values.map(String).join(', ')}.`;
    case 'unrecognized_keys':
      return `Unknown field${issue.keys.length === 1 ? '' : 's'}: ${issue.keys.join(', ')}.`;
    case 'invalid_format':
      return `${label} is not a valid ${issue.format}.`;
    default:
      return `${label} is not valid.`;
  }
}
