/** A crawler that never said hello ignores job_assignment: the console holds the job until it asks for work. */
export const HANDOVER_ON_REQUEST = 'will be handed over when it next asks for work';

/** True for a connected crawler that takes work only in answer to its own job_request. */
export const asksForWork = (c: { connection: { said_hello: boolean } | null } | undefined): boolean => c?.connection?.said_hello === false;
