/** Which component renders each view. */
import type { ComponentType } from 'react';
import type { View } from '../router/routes';
import { BroadcastScreen, CrawlersScreen, CredentialsScreen, ErrorsScreen, OverviewScreen, SettingsScreen } from './ops';
import { AssignScreen, JobDetailScreen, JobsScreen } from './jobs';
import { SchedulesScreen } from './power';
import { CrawlerScreen } from './crawler';

export const SCREENS: Record<View, ComponentType> = {
  overview: OverviewScreen,
  crawlers: CrawlersScreen,
  crawler: CrawlerScreen,
  jobs: JobsScreen,
  job: JobDetailScreen,
  assign: AssignScreen,
  broadcast: BroadcastScreen,
  errors: ErrorsScreen,
  credentials: CredentialsScreen,
  settings: SettingsScreen,
  schedules: SchedulesScreen,
};

/** The navigation, in order (a job's and a crawler's page are reached from their lists and links). */
export const NAV_ITEMS: { view: View; label: string }[] = [
  { view: 'overview', label: 'Overview' },
  { view: 'crawlers', label: 'Crawlers' },
  { view: 'jobs', label: 'Jobs' },
  { view: 'assign', label: 'Assign job' },
  { view: 'broadcast', label: 'Broadcast' },
  { view: 'schedules', label: 'Schedules' },
  { view: 'errors', label: 'Errors' },
  { view: 'credentials', label: 'Credentials' },
  { view: 'settings', label: 'Settings' },
];
