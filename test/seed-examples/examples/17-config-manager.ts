// API reference › Configuration Management › ConfigurationManager
import { configManager } from '$lib/server/socket/config';

// Get current configuration
const currentConfig = configManager.getCurrentConfig();

// Update configuration
configManager.updateConfig({
  maxConnections: 15,
  logLevel: 'debug'
});

// Subscribe to configuration changes
const unsubscribe = configManager.onConfigUpdate((newConfig) => {
  console.log('Configuration updated:', newConfig);
});

// Reload from environment
configManager.reloadFromEnvironment();

// `export` added so the test can check what the example saw, and unsubscribe.
export { currentConfig, unsubscribe };
