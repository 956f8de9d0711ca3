/** The socket system's types, importable as `…/socket/types` (the seed's `types/index.ts`). */
export * from './messages';
export * from './database';
export type { ProgressMilestone } from './database';
export * from './config';
export * from './connection';
export * from './progress';
export * from './errors';
export * from './router';
