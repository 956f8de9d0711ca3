/** Why the store refused something. Callers branch on `code`; `message` is for people. */
export type StoreErrorCode =
  | 'schema_too_new'
  | 'migration_failed'
  | 'not_found'
  | 'conflict'
  | 'invalid'
  | 'in_use'
  | 'key_file_insecure'
  | 'key_file_invalid'
  | 'decrypt_failed'
  | 'closed'
  | 'data_dir_unusable'
  | 'data_dir_in_use';

export class StoreError extends Error {
  override name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The start of the message of a change refused by the discovered-entity rules
 * (the triggers of migrations 012 and 013: one job per parent and entity, one
 * unfinished discovered job per host and entity, however the host is spelled).
 */
export const DUPLICATE_ENTITY = 'duplicate entity:';
