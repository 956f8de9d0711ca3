/** Every schema version, in order. Add a module per new version; never edit a released one. */
import { migration001 } from './001_initial';
import { migration002Seed } from './002_seed';
import { migration003Wild } from './003_wild';
import { migration004Robust } from './004_robust';
import { migration005Ops } from './005_ops';
import { migration006Scale } from './006_scale';
import { migration007Power } from './007_power';
import { migration008Scale } from './008_scale';
import { migration009Heartbeats } from './009_heartbeats';
import { migration010Ingest } from './010_ingest';
import { migration011NameOrder } from './011_name_order';
import { migration012EntityRules } from './012_entity_rules';
import { migration013HostKey } from './013_host_key';
import { migration014DiscoveredBatch } from './014_discovered_batch';
import type { Migration } from './types';

export type { Migration } from './types';

export const MIGRATIONS: readonly Migration[] = [migration001, migration002Seed, migration003Wild, migration004Robust, migration005Ops, migration006Scale, migration007Power, migration008Scale, migration009Heartbeats, migration010Ingest, migration011NameOrder, migration012EntityRules, migration013HostKey, migration014DiscoveredBatch];
