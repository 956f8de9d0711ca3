// Screens for jobs (owned by the jobs screens): the table, one job's detail, and the Assign job form.
import './jobs.css';

export { JobsScreen } from './JobsScreen';
export { JobDetailScreen } from './JobDetail';
export { AssignScreen } from './AssignScreen';
