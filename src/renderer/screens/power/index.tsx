// Operator power (issue 15): schedules, pause and quiet, error groups, history ranges.
import './power.css';

export { Schedules as SchedulesScreen, JobScheduleLink } from './Schedules';
export { DispatchBanner, DispatchCard, QuietBadge, QuietButton } from './Dispatch';
export { ErrorGroups } from './ErrorGroups';
