// Screens for watching crawlers and the console (owned by the operations screens).
import './ops.css';
import { Broadcast } from './Broadcast';
import { Crawlers } from './Crawlers';
import { Credentials } from './Credentials';
import { Errors } from './Errors';
import { Overview } from './Overview';
import { Settings } from './Settings';
import { startOpsLive } from './state/live';

// The stores collect from the first event, whatever screen is open (throughput history, notifications).
startOpsLive();

export const OverviewScreen = Overview;
export const CrawlersScreen = Crawlers;
export const BroadcastScreen = Broadcast;
export const ErrorsScreen = Errors;
export const CredentialsScreen = Credentials;
export const SettingsScreen = Settings;
export { ShutdownDialog } from './Crawlers';
