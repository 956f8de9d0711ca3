/** Every schema version, in order. Add a module per new version; never edit a released one. */
import { migration001 } from './001_initial';
import { migration002 } from './002_scale';
import type { Migration } from './types';

export type { Migration } from './types';

export const MIGRATIONS: readonly Migration[] = [migration001, migration002];
