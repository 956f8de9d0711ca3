/** The console's persistence layer. See store.ts for opening it, the *-repo modules for what it stores. */
export { openStore, Store, type OpenStoreOptions } from './store';
export { StoreError, type StoreErrorCode } from './errors';
export { DATA_DIR_ENV, DATABASE_FILE, ensureDataDir, prepareDataDir, resolveDataDir, type ResolveDataDirOptions } from './data-dir';
export { LOCK_FILE, lockDataDir, type DataDirLock } from './data-dir-lock';
export { createFileKeyCipher, FILE_KEY_CIPHER_KIND, TOKEN_KEY_FILE, type TokenCipher } from './token-cipher';
export * from './records';
export { MIGRATIONS, type Migration } from './migrations/index';
export { latestSchemaVersion, runMigrations, type MigrationResult } from './migrate';
export {
  JobPatchSchema,
  NewJobSchema,
  type DiscoveredJobsResult,
  type JobPatch,
  type JobsRepo,
  type ListJobsResult,
  type NewJob,
} from './jobs-repo';
export type { EventInput, EventsRepo } from './events-repo';
export {
  progressRowFromEntity,
  type JobProgressSummary,
  type ProgressBatchResult,
  type ProgressRepo,
  type ProgressRow,
} from './progress-repo';
export type { CrawlerInput, CrawlersRepo, HeartbeatRow } from './crawlers-repo';
export { ListErrorsQuerySchema, type ErrorInput, type ErrorsRepo, type ListErrorsQuery } from './errors-repo';
export {
  normalizeHost,
  SaveCredentialSchema,
  tokenHint,
  type CredentialsRepo,
  type SaveCredentialInput,
} from './credentials-repo';
export type { EntitiesRepo, EntityInput } from './entities-repo';
export * from './socket-database-operations';
export {
  retentionBatch,
  runRetention,
  startRetention,
  type RetentionBatchResult,
  type RetentionConfig,
  type RetentionOptions,
  type RetentionResult,
  type StartRetentionOptions,
} from './retention';
export { redactSecrets, scrubSecretText, REDACTED } from './redact';
