import { z } from 'zod';
import { issueText } from './issue-text';

/** Codes of a command's failure, each telling the person what kind of thing went wrong. */
export const ApiErrorCodeSchema = z.enum([
  'invalid_input', // the input does not match the command's schema
  'not_found', // the job, crawler or credential does not exist
  'conflict', // not allowed in the current state (cancel a finished job …)
  'unavailable', // the target crawler is gone or full, or the console is stopping
  'unauthorized', // transport: missing or wrong token
  'forbidden', // transport: foreign origin or sender
  'unknown_command',
  'internal', // a bug: details are in the console's log
]);
export type ApiErrorCode = z.infer<typeof ApiErrorCodeSchema>;

export const ApiErrorSchema = z.object({
  code: ApiErrorCodeSchema,
  message: z.string(),
  details: z.unknown().optional(),
});
export type ApiErrorBody = z.infer<typeof ApiErrorSchema>;

/** A command failure with a message a person can act on. Thrown by the core, carried by every transport. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  toJSON(): ApiErrorBody {
    return { code: this.code, message: this.message, ...(this.details !== undefined && { details: this.details }) };
  }

  static from(body: unknown): ApiError {
    const parsed = ApiErrorSchema.safeParse(body);
    return parsed.success
      ? new ApiError(parsed.data.code, parsed.data.message, parsed.data.details)
      : new ApiError('internal', 'the console sent an unreadable error');
  }
}

/** HTTP status of each code, for the headless transport. */
export const API_ERROR_STATUS: Record<ApiErrorCode, number> = {
  invalid_input: 400,
  not_found: 404,
  conflict: 409,
  unavailable: 409,
  unauthorized: 401,
  forbidden: 403,
  unknown_command: 404,
  internal: 500,
};

/** Turns zod issues into `details` a form can show next to its fields, in words for a person (`schema` gives the limits). */
export function issuesToDetails(issues: readonly z.core.$ZodIssue[], schema?: z.core.$ZodType): { path: string; message: string }[] {
  return issues.map((i) => ({ path: i.path.map(String).join('.'), message: issueText(i, schema) }));
}
