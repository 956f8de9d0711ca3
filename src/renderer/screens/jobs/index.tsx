// Screens for jobs (owned by the jobs screens).
import { ComingSoon } from '../../components/ComingSoon';

export const JobsScreen = () => <ComingSoon title="Jobs" what="the job list with filters, cancelling and retrying jobs." />;
export const JobDetailScreen = () => <ComingSoon title="Job" what="one job’s progress, history and errors." />;
export const AssignScreen = () => <ComingSoon title="Assign job" what="creating a job and assigning it to a crawler." />;
