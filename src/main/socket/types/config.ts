/**
 * The socket configuration's types, with the seed's names. The schema itself
 * (defaults, ranges, messages) is pure zod in src/shared/config, shared with the
 * Settings screen; these types are derived from it so the two cannot drift.
 */
import type { ResolvedSocketConfig, SocketConfigKey, SocketServerConfigInput } from '../../../shared/config';

export {
  ConfigError,
  SECRET_CONFIG_FIELDS,
  SOCKET_CONFIG_KEYS,
  SocketServerConfigSchema,
  SocketServerConfigShape,
  parseSocketConfig,
} from '../../../shared/config';
export type { LogLevel, ResolvedSocketConfig, SocketConfigKey, SocketServerConfigInput } from '../../../shared/config';

/**
 * The seed's SocketServerConfig: every option optional (what a caller passes to
 * `new SocketServer(…)` or `configManager.updateConfig(…)`). Unset options come
 * from the environment, else from the defaults. The resolved form, with every
 * option present, is `ResolvedSocketConfig`.
 */
export type SocketServerConfig = SocketServerConfigInput;

/** What changed in a configuration update. */
export interface ConfigChange {
  previous: Readonly<ResolvedSocketConfig>;
  changed: SocketConfigKey[];
}

export type ConfigUpdateListener = (config: Readonly<ResolvedSocketConfig>, change: ConfigChange) => void;

/** How an option reaches a running server. */
export type ConfigEffect =
  /** Read where it is used: a change applies from the next use. */
  | 'live'
  /** Fixed when the server (or the console) starts: a change applies after a restart. */
  | 'restart'
  /** Accepted for compatibility with the seed's configuration; nothing in this console reads it. */
  | 'none';
