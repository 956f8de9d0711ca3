// Screens for watching crawlers and the console (owned by the operations screens).
import { ComingSoon } from '../../components/ComingSoon';
import { CrawlersView } from '../../components/CrawlersView';

export const OverviewScreen = () => <ComingSoon title="Overview" what="totals, aggregate progress and throughput across running jobs." />;
export const CrawlersScreen = CrawlersView;
export const BroadcastScreen = () => <ComingSoon title="Broadcast" what="sending a shutdown to every connected crawler." />;
export const ErrorsScreen = () => <ComingSoon title="Errors" what="recorded errors by category, severity, crawler and job." />;
export const CredentialsScreen = () => <ComingSoon title="Credentials" what="saved GitLab credentials, masked." />;
export const SettingsScreen = () => <ComingSoon title="Settings" what="the socket configuration." />;
