// API reference › Event System › Progress Events
import { ProgressTracker, ProgressEvent } from '$lib/server/socket/types/progress';
// Seed omission: the `progressTracker` the example listens to (the process's, which servers use by default).
import { progressTracker as theTracker } from '$lib/server/socket';
const progressTracker: ProgressTracker = theTracker;

progressTracker.on('state_changed', (event: ProgressEvent) => {
  if (event.type === 'state_changed') {
    console.log(`Progress state changed from ${event.previousState} to ${event.newState}`);
  }
});

progressTracker.on('milestone_reached', (event: ProgressEvent) => {
  if (event.type === 'milestone_reached') {
    console.log('Milestone reached:', event.milestone.name);
  }
});
