// API reference › SocketServer › getAggregateProgress()
// Seed omission: the constructor example's `server`.
import { server } from './01-constructor';

const progress = server.getAggregateProgress();
if (progress) {
  console.log('Overall completion:', progress.overall_completion);
  console.log('Active jobs:', progress.active_jobs);
}
