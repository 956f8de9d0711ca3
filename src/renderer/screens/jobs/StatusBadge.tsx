import type { JobStatus } from '../../../shared/jobs';
import { STATUS_LABEL } from './format';

export function StatusBadge({ status }: { status: JobStatus }) {
  return (
    <span className={`status status-${status}`} data-testid="job-status" data-status={status}>
      {STATUS_LABEL[status]}
    </span>
  );
}
