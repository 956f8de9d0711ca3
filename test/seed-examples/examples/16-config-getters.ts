// API reference › Configuration Management › Configuration Getters
import { 
  getConnectionConfig,
  getMessageConfig,
  getHeartbeatConfig,
  getJobConfig,
  getLoggingConfig 
} from '$lib/server/socket/config';

// `export` added so the test can check the sections.
export const connectionConfig = getConnectionConfig();
export const heartbeatConfig = getHeartbeatConfig();
