/**
 * The job lifecycle table, exhaustively: every status × every event. The
 * expected matrix is written out here by hand (not derived from the table), so
 * a change to the table must be made twice, on purpose.
 */
import { describe, expect, it } from 'vitest';
import { JOB_STATUSES, type JobEventKind, type JobStatus } from '../../src/shared/jobs';
import {
  LIFECYCLE,
  LIFECYCLE_EVENTS,
  LifecycleError,
  type LifecycleEvent,
  allowedFrom,
  nextState,
  transitionOf,
} from '../../src/main/jobs/lifecycle';

type Row = Partial<Record<JobStatus, JobStatus>>;
const q = 'queued', a = 'assigned', r = 'running', w = 'waiting_credentials';
const c = 'completed', f = 'failed', x = 'cancelled';

/** event → (from → to), and the history kind it writes. Missing from-statuses are refused. */
const EXPECTED: Record<LifecycleEvent, { to: Row; kind: JobEventKind }> = {
  lease: { to: { [q]: a }, kind: 'assigned' },
  hand_over: { to: { [a]: a }, kind: 'updated' },
  start: { to: { [q]: r, [a]: r, [w]: r }, kind: 'started' },
  complete: { to: { [q]: c, [a]: c, [r]: c, [w]: c }, kind: 'completed' },
  fail: { to: { [q]: f, [a]: f, [r]: f, [w]: f }, kind: 'failed' },
  lease_expired: { to: { [a]: q }, kind: 'lease_expired' },
  lease_expired_final: { to: { [a]: f }, kind: 'lease_expired' },
  requeue: { to: { [a]: q, [r]: q, [w]: q }, kind: 'requeued' },
  retry_later: { to: { [q]: q, [a]: q, [r]: q }, kind: 'retry_scheduled' },
  hand_back: { to: { [q]: q, [a]: q, [r]: q }, kind: 'requeued' },
  wait_for_token: { to: { [a]: w, [r]: w, [w]: w }, kind: 'waiting_credentials' },
  release_waiting: { to: { [w]: w }, kind: 'updated' },
  token_provided: { to: { [w]: r }, kind: 'credentials_provided' },
  token_saved: { to: { [w]: q }, kind: 'credentials_provided' },
  rekey: { to: { [a]: a, [r]: r, [w]: w }, kind: 'updated' },
  move_credential: { to: { [q]: q, [a]: a, [r]: r, [w]: w }, kind: 'updated' },
  cancel: { to: { [q]: x, [a]: x, [r]: x, [w]: x }, kind: 'cancelled' },
  retry: { to: { [f]: q, [x]: q }, kind: 'retried' },
};

describe('the job lifecycle table', () => {
  it('covers exactly the events the expectation lists', () => {
    expect([...LIFECYCLE_EVENTS].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const event of LIFECYCLE_EVENTS) {
    for (const status of JOB_STATUSES) {
      const to = EXPECTED[event].to[status];
      if (to !== undefined) {
        it(`${status} × ${event} → ${to}`, () => {
          const t = nextState(status, event, 'job-1');
          expect(t).toEqual({ from: status, to, kind: EXPECTED[event].kind, reason: LIFECYCLE[event].reason });
          expect(t.reason.length).toBeGreaterThan(10);
          expect(transitionOf(status, event)).toEqual(t);
        });
      } else {
        it(`${status} × ${event} is refused`, () => {
          expect(transitionOf(status, event)).toBeNull();
          let thrown: unknown;
          try {
            nextState(status, event, 'job-1');
          } catch (err) {
            thrown = err;
          }
          expect(thrown).toBeInstanceOf(LifecycleError);
          const err = thrown as LifecycleError;
          expect(err.code).toBe('conflict');
          expect(err.status).toBe(status);
          expect(err.event).toBe(event);
          // One sentence naming the job, its status, the event and where the event may happen.
          expect(err.message).toBe(`job job-1 is ${status}: ${event} (${LIFECYCLE[event].reason}) happens only to ${allowedFrom(event).join(', ')} jobs`);
        });
      }
    }
  }

  it('lets no event leave a finished job except the operator’s retry', () => {
    for (const status of ['completed', 'failed', 'cancelled'] as const) {
      const leaving = LIFECYCLE_EVENTS.filter((e) => transitionOf(status, e) !== null);
      expect(leaving).toEqual(status === 'completed' ? [] : ['retry']);
    }
  });
});
