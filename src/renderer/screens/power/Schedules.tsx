/**
 * Recurring crawls: a job template fired on a cron expression or an interval,
 * skipped while its previous job is unfinished. Listed live (schedule_changed
 * events), created and edited in the form above the table, paused, run now.
 */
import { type FormEvent, useId, useMemo, useState } from 'react';
import { JobTypeSchema } from '../../../shared/protocol';
import type { Credential } from '../../../shared/records';
import type { CreateScheduleInput, Schedule } from '../../../shared/ops';
import { api } from '../../state/bus';
import { useNow } from '../../components/use-now';
import { formatAge } from '../../components/format';
import { formatDuration, formatShortTime, messageOf } from '../ops/format';
import { putSchedule, useSchedules } from './state/power-store';
import { useCredentials } from '../ops/state/credentials-store';
import { useQuery } from '@tanstack/react-query';
import { queryKeys } from '../../query/keys';
import { ViewLink } from '../../router';
import { shortId } from '../jobs/format';

const UNITS = { seconds: 1_000, minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const;
type Unit = keyof typeof UNITS;

interface Draft {
  id: string | null;
  name: string;
  job_type: (typeof JobTypeSchema.options)[number];
  gitlab_host: string;
  credential_id: string;
  entity_id: string;
  namespace_path: string;
  priority: string;
  timing: 'interval' | 'cron';
  every: string;
  unit: Unit;
  cron: string;
  timezone: string;
}

const EMPTY: Draft = {
  id: null,
  name: '',
  job_type: 'crawl_project',
  gitlab_host: '',
  credential_id: '',
  entity_id: '',
  namespace_path: '',
  priority: '1',
  timing: 'interval',
  every: '1',
  unit: 'days',
  cron: '0 3 * * *',
  timezone: '',
};

function draftOf(s: Schedule): Draft {
  const unit = (Object.keys(UNITS) as Unit[]).reverse().find((u) => s.interval_ms !== null && s.interval_ms % UNITS[u] === 0) ?? 'seconds';
  return {
    id: s.id,
    name: s.name,
    job_type: s.job_type,
    gitlab_host: s.gitlab_host,
    credential_id: s.credential_id ?? '',
    entity_id: s.entity_id ?? '',
    namespace_path: s.namespace_path ?? '',
    priority: String(s.priority),
    timing: s.cron !== null ? 'cron' : 'interval',
    every: s.interval_ms !== null ? String(s.interval_ms / UNITS[unit]) : '1',
    unit,
    cron: s.cron ?? EMPTY.cron,
    timezone: s.timezone ?? '',
  };
}

export const describeTiming = (s: Pick<Schedule, 'cron' | 'interval_ms' | 'timezone'>): string =>
  s.cron !== null ? `cron ${s.cron}${s.timezone ? ` (${s.timezone})` : ''}` : `every ${formatDuration(s.interval_ms ?? 0)}`;

function ScheduleForm({ draft, setDraft, credentials }: { draft: Draft; setDraft: (d: Draft | null) => void; credentials: readonly Credential[] }) {
  const id = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft({ ...draft, [k]: v });
  const forHost = credentials.filter((c) => !draft.gitlab_host || c.gitlab_host.includes(draft.gitlab_host.replace(/^https?:\/\//, '').replace(/\/.*$/, '')));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const every = Number(draft.every);
    const timing = draft.timing === 'cron' ? { cron: draft.cron.trim(), interval_ms: null } : { cron: null, interval_ms: Math.round(every * UNITS[draft.unit]) };
    const body = {
      name: draft.name,
      job_type: draft.job_type,
      gitlab_host: draft.gitlab_host,
      credential_id: draft.credential_id || null,
      entity_id: draft.entity_id.trim() || null,
      namespace_path: draft.namespace_path.trim() || null,
      priority: Number(draft.priority),
      timezone: draft.timing === 'cron' && draft.timezone.trim() ? draft.timezone.trim() : null,
      ...timing,
    } satisfies CreateScheduleInput;
    try {
      const { schedule } = draft.id ? await api().updateSchedule({ id: draft.id, ...body }) : await api().createSchedule(body);
      putSchedule(schedule);
      setDraft(null);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card form-card" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-title`} data-testid="schedule-form">
      <h2 id={`${id}-title`}>{draft.id ? `Edit ${draft.name}` : 'New recurring crawl'}</h2>
      <div className="form-grid form-grid-3">
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input id={`${id}-name`} required maxLength={100} value={draft.name} onChange={(e) => set('name', e.target.value)} placeholder="weekly acme re-crawl" data-testid="schedule-name" />
        </div>
        <div className="field">
          <label htmlFor={`${id}-type`}>Job type</label>
          <select id={`${id}-type`} value={draft.job_type} onChange={(e) => set('job_type', e.target.value as Draft['job_type'])} data-testid="schedule-job-type">
            {JobTypeSchema.options.map((t) => (
              <option key={t} value={t}>
                {t.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-prio`}>Priority</label>
          <input id={`${id}-prio`} type="number" min={-1000} max={1000} value={draft.priority} onChange={(e) => set('priority', e.target.value)} data-testid="schedule-priority" />
        </div>
        <div className="field">
          <label htmlFor={`${id}-host`}>GitLab host</label>
          <input id={`${id}-host`} required value={draft.gitlab_host} onChange={(e) => set('gitlab_host', e.target.value)} placeholder="gitlab.example.com" data-testid="schedule-host" />
        </div>
        <div className="field">
          <label htmlFor={`${id}-entity`}>Entity id</label>
          <input id={`${id}-entity`} value={draft.entity_id} onChange={(e) => set('entity_id', e.target.value)} placeholder="e.g. 4100" data-testid="schedule-entity" />
        </div>
        <div className="field">
          <label htmlFor={`${id}-path`}>Namespace / path</label>
          <input id={`${id}-path`} value={draft.namespace_path} onChange={(e) => set('namespace_path', e.target.value)} placeholder="acme/platform" data-testid="schedule-path" />
        </div>
        <div className="field">
          <label htmlFor={`${id}-cred`}>Credential</label>
          <select id={`${id}-cred`} value={draft.credential_id} onChange={(e) => set('credential_id', e.target.value)} data-testid="schedule-credential">
            <option value="">newest saved for the host</option>
            {forHost.map((c) => (
              <option key={c.id} value={c.id}>
                {c.label} ({c.gitlab_host}, {c.token_hint})
              </option>
            ))}
          </select>
        </div>
        <fieldset className="field power-timing">
          <legend>Runs</legend>
          <label className="check">
            <input type="radio" name={`${id}-timing`} checked={draft.timing === 'interval'} onChange={() => set('timing', 'interval')} data-testid="schedule-timing-interval" /> every
          </label>
          <input aria-label="Interval" type="number" min={1} step="any" value={draft.every} disabled={draft.timing !== 'interval'} onChange={(e) => set('every', e.target.value)} data-testid="schedule-every" />
          <select aria-label="Interval unit" value={draft.unit} disabled={draft.timing !== 'interval'} onChange={(e) => set('unit', e.target.value as Unit)} data-testid="schedule-unit">
            {(Object.keys(UNITS) as Unit[]).map((u) => (
              <option key={u} value={u}>
                {u}
              </option>
            ))}
          </select>
          <label className="check">
            <input type="radio" name={`${id}-timing`} checked={draft.timing === 'cron'} onChange={() => set('timing', 'cron')} data-testid="schedule-timing-cron" /> cron
          </label>
          <input aria-label="Cron expression" className="mono" value={draft.cron} disabled={draft.timing !== 'cron'} onChange={(e) => set('cron', e.target.value)} data-testid="schedule-cron" />
          <input aria-label="Time zone" placeholder="time zone (e.g. Europe/Berlin)" value={draft.timezone} disabled={draft.timing !== 'cron'} onChange={(e) => set('timezone', e.target.value)} data-testid="schedule-timezone" />
        </fieldset>
      </div>
      <p className="muted small">A run is skipped while the job the schedule created last is still queued or running.</p>
      {error ? (
        <p className="form-error" role="alert" data-testid="schedule-form-error">
          {error}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="schedule-save">
          {draft.id ? 'Save changes' : 'Create schedule'}
        </button>
        <button type="button" className="btn" onClick={() => setDraft(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function ScheduleRow({ s, now, onEdit, onNotice }: { s: Schedule; now: number; onEdit: () => void; onNotice: (text: string) => void }) {
  const [busy, setBusy] = useState(false);
  const act = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await fn();
    } catch (e) {
      onNotice(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  const target = s.namespace_path ?? s.entity_id ?? '';
  return (
    <tr data-testid="schedule-row" data-schedule-id={s.id} data-paused={s.paused}>
      <th scope="row">
        {s.name}
        <span className="sub muted">
          {s.job_type.replace(/_/g, ' ')} · {s.gitlab_host}
          {target ? ` · ${target}` : ''}
        </span>
      </th>
      <td>
        {describeTiming(s)}
        {s.paused ? (
          <span className="sub">
            <span className="badge badge-quiet" data-testid="schedule-paused">
              paused
            </span>
          </span>
        ) : null}
      </td>
      <td data-testid="schedule-next">{s.next_run_at === null ? <span className="muted">—</span> : s.next_run_at <= now ? 'due now' : `in ${formatAge(s.next_run_at - now)}`}</td>
      <td data-testid="schedule-last">
        {s.last_run_at === null ? (
          <span className="muted">never</span>
        ) : (
          <>
            <span className={`power-outcome power-outcome-${s.last_outcome ?? 'none'}`} data-testid="schedule-outcome">
              {s.last_outcome}
            </span>{' '}
            <span className="muted">{formatShortTime(s.last_run_at, now)}</span>
            {s.last_outcome !== 'created' ? (
              <span className="sub muted reason power-last-message" title={s.last_message ?? undefined}>
                {s.last_message}
              </span>
            ) : null}
          </>
        )}
      </td>
      <td>
        {s.last_job_id ? (
          <ViewLink view="job" params={{ job_id: s.last_job_id }} className="link mono" title={s.last_job_id} data-testid="schedule-last-job">
            {shortId(s.last_job_id)}
          </ViewLink>
        ) : (
          <span className="muted">—</span>
        )}
        {s.last_job_status ? <span className="sub muted">{s.last_job_status.replace(/_/g, ' ')}</span> : null}
      </td>
      <td className="num" data-testid="schedule-runs">
        {s.runs}
        <span className="sub muted" data-testid="schedule-skips">
          {s.skips} skipped
        </span>
      </td>
      <td>
        <div className="row-actions">
          <button
            type="button"
            className="btn btn-small"
            disabled={busy}
            onClick={() =>
              void act(async () => {
                const r = await api().runScheduleNow({ id: s.id });
                putSchedule(r.schedule);
                onNotice(`${s.name}: ${r.message}`);
              })
            }
            data-testid="schedule-run-now"
          >
            Run now
          </button>
          <button
            type="button"
            className="btn btn-small"
            disabled={busy}
            onClick={() => void act(async () => putSchedule((await api().setSchedulePaused({ id: s.id, paused: !s.paused })).schedule))}
            data-testid={s.paused ? 'schedule-resume' : 'schedule-pause'}
          >
            {s.paused ? 'Resume' : 'Pause'}
          </button>
          <button type="button" className="btn btn-small" disabled={busy} onClick={onEdit} data-testid="schedule-edit">
            Edit
          </button>
          <button
            type="button"
            className="btn btn-small btn-danger-quiet"
            disabled={busy}
            onClick={() => {
              if (window.confirm(`Delete the schedule “${s.name}”? The jobs it created stay.`)) void act(() => api().deleteSchedule({ id: s.id }));
            }}
            data-testid="schedule-delete"
          >
            Delete
          </button>
        </div>
      </td>
    </tr>
  );
}

export function Schedules() {
  const { schedules, loaded, error: loadError } = useSchedules();
  const [draft, setDraft] = useState<Draft | null>(null);
  const { credentials } = useCredentials();
  const [notice, setNotice] = useState<string | null>(null);
  const now = useNow(1000);
  const rows = useMemo(() => [...schedules].sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' })), [schedules]);
  return (
    <section className="view ops-ui power" aria-labelledby="view-title" data-testid="schedules">
      <div className="toolbar">
        <h1 id="view-title">Schedules</h1>
        {draft === null ? (
          <button type="button" className="btn btn-primary" onClick={() => setDraft({ ...EMPTY })} data-testid="schedule-new">
            New schedule
          </button>
        ) : null}
      </div>
      <p className="muted">Recurring crawls create a job from their template on a cron expression or an interval — for longitudinal studies that re-crawl the same instance.</p>
      {draft ? <ScheduleForm draft={draft} setDraft={setDraft} credentials={credentials} /> : null}
      <p className="status-line" role="status" data-testid="schedule-notice">
        {notice}
      </p>
      {loadError ? (
        <p className="form-error" role="alert">
          {loadError}
        </p>
      ) : null}
      {!loaded ? (
        <p className="muted">Loading…</p>
      ) : rows.length === 0 ? (
        <div className="card card-empty" data-testid="schedules-empty">
          <p>No recurring crawl yet.</p>
          <p className="muted">Create one to re-crawl a project, group or user every day, week or on a cron expression.</p>
        </div>
      ) : (
        <div className="table-scroll">
          <table className="table" data-testid="schedule-table">
            <thead>
              <tr>
                <th scope="col">Schedule</th>
                <th scope="col">Timing</th>
                <th scope="col">Next run</th>
                <th scope="col">Last run</th>
                <th scope="col">Last job</th>
                <th scope="col" className="num">
                  Runs
                </th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <ScheduleRow key={s.id} s={s} now={now} onEdit={() => setDraft(draftOf(s))} onNotice={setNotice} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** On a job's detail: the schedule that created it, if any. */
export function JobScheduleLink({ jobId }: { jobId: string }) {
  const schedule = useQuery({ queryKey: queryKeys.jobSchedule(jobId), queryFn: () => api().getJobSchedule({ job_id: jobId }) }).data?.schedule ?? null;
  if (!schedule) return null;
  return (
    <p className="power-job-schedule" data-testid="job-schedule">
      Created by the schedule{' '}
      <ViewLink view="schedules" className="link" data-testid="job-schedule-link">
        {schedule.name}
      </ViewLink>{' '}
      <span className="muted">({describeTiming(schedule)})</span>
    </p>
  );
}
