/**
 * Assign job: create a job and queue it or hand it to a connected crawler now.
 * Validated as you type with the core's own schema; the server's verdict is
 * shown when it disagrees (a crawler filled up meanwhile …).
 */
import { type ReactNode, type RefObject, useEffect, useId, useRef, useState } from 'react';
import { ApiError } from '../../../shared/contract';
import type { JobDto } from '../../../shared/jobs';
import { JobTypeSchema } from '../../../shared/protocol';
import { api } from '../../state/bus';
import { type AssignFormValues, type FieldErrors, type FieldName, INITIAL_FORM, fieldErrorsFromDetails, sameHost, validate } from './assign-form';
import { hasFreeCapacity, loadAssignData, useAssignData } from './assign-state';
import { shortId } from './format';
import { HANDOVER_ON_REQUEST, asksForWork } from './handover';
import { StatusBadge } from './StatusBadge';
import { ViewLink, useViewParams } from '../../router';

const JOB_TYPE_HELP: Record<string, string> = {
  discover_namespaces: 'find every group, project and user (under a namespace path, or the whole instance) and queue a crawl job for each',
  crawl_project: 'fetch one project’s issues, merge requests, commits, pipelines …',
  crawl_group: 'fetch one group’s projects, milestones, epics and members',
  crawl_user: 'fetch one user’s projects, issues, merge requests and events',
};

/** A labelled field with its message: the message is tied to the control (aria-describedby) and announced. */
function Field({ label, error, hint, children, id }: { label: string; error: string | undefined; hint?: ReactNode; children: ReactNode; id: string }) {
  return (
    <div className={`form-field${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {error ? (
        <p className="field-error" id={`${id}-msg`} data-testid={`error-${id}`} role="alert">
          {error}
        </p>
      ) : hint ? (
        <p className="hint" id={`${id}-msg`}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

function Created({ job, savedToken, handover, linkRef }: { job: JobDto; savedToken: boolean; handover?: 'pushed' | 'on_next_request' | undefined; linkRef: RefObject<HTMLAnchorElement | null> }) {
  return (
    <div className="result-panel result-ok" role="status" data-testid="assign-created">
      <strong>Job created</strong>{' '}
      <ViewLink ref={linkRef} view="job" params={{ job_id: job.job_id }} className="link mono" data-testid="created-job-link" title={job.job_id} aria-label={`Open the new job ${shortId(job.job_id)}`}>
        {shortId(job.job_id)}
      </ViewLink>{' '}
      <StatusBadge status={job.status} />{' '}
      {job.status === 'waiting_credentials' ? (
        <>waiting for credentials: {job.last_error}</>
      ) : job.crawler_id ? (
        <>
          assigned to <span className="mono">{job.crawler_id}</span>
          {handover === 'on_next_request' ? <span data-testid="assign-handover"> — {HANDOVER_ON_REQUEST}</span> : null}
        </>
      ) : (
        'in the queue'
      )}
      {savedToken ? <span className="muted"> · the token was saved encrypted and is now shown only masked</span> : null}
    </div>
  );
}

export function AssignScreen() {
  const params = useViewParams();
  const { credentials, crawlers, loaded, error: loadError } = useAssignData();
  const [form, setForm] = useState<AssignFormValues>(() =>
    params.crawler_id ? { ...INITIAL_FORM, target: 'crawler', crawler_id: params.crawler_id } : INITIAL_FORM,
  );
  const [touched, setTouched] = useState<Partial<Record<FieldName, boolean>>>({});
  const [submitted, setSubmitted] = useState(false);
  const [sending, setSending] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [serverMessage, setServerMessage] = useState<string | null>(null);
  const [created, setCreated] = useState<{ job: JobDto; savedToken: boolean; handover?: 'pushed' | 'on_next_request' | undefined } | null>(null);
  const ids = { type: useId(), host: useId(), cred: useId(), token: useId(), label: useId(), entity: useId(), ns: useId(), prio: useId(), crawler: useId() };

  // Where focus lands after a submit: the new job's link (open it with Enter), the first field to fix, or the refusal.
  const formRef = useRef<HTMLFormElement>(null);
  const createdLink = useRef<HTMLAnchorElement>(null);
  const refusal = useRef<HTMLDivElement>(null);
  const [focusAfterSubmit, setFocusAfterSubmit] = useState<{ to: 'created' | 'invalid' | 'refusal'; n: number } | null>(null);
  useEffect(() => {
    if (!focusAfterSubmit) return;
    if (focusAfterSubmit.to === 'created') createdLink.current?.focus();
    else if (focusAfterSubmit.to === 'refusal') (formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]') ?? refusal.current)?.focus();
    else formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [focusAfterSubmit]);
  const focusNext = (to: 'created' | 'invalid' | 'refusal') => setFocusAfterSubmit((f) => ({ to, n: (f?.n ?? 0) + 1 }));

  // A saved credential is the default once the list is there (a token is typed only when none fits).
  const [credentialDefaulted, setCredentialDefaulted] = useState(false);
  if (loaded && !credentialDefaulted) {
    setCredentialDefaulted(true);
    if (form.credential_mode === 'auto') setForm((f) => ({ ...f, credential_mode: credentials.length > 0 ? 'saved' : 'token' }));
  }

  const validation = validate(form);
  const shown = (field: FieldName): string | undefined => serverErrors[field] ?? (submitted || touched[field] ? validation.errors[field] : undefined);

  const update = <K extends keyof AssignFormValues>(key: K, value: AssignFormValues[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setTouched((t) => ({ ...t, [key]: true }));
    setServerErrors((e) => ({ ...e, [key]: undefined, form: undefined }));
    setServerMessage(null);
  };
  const blur = (key: FieldName) => () => setTouched((t) => ({ ...t, [key]: true }));
  const describedBy = (id: string) => `${id}-msg`;

  const free = crawlers.filter(hasFreeCapacity);
  const chosenCrawler = crawlers.find((c) => c.crawler_id === form.crawler_id);
  const hostCredentials = credentials.filter((c) => sameHost(c.gitlab_host, form.gitlab_host));
  const chosenCredential = credentials.find((c) => c.id === form.credential_id);
  const needsEntity = form.job_type !== 'discover_namespaces';

  const submit = async () => {
    setSubmitted(true);
    setServerErrors({});
    setServerMessage(null);
    setCreated(null);
    if (!validation.ok) {
      focusNext('invalid');
      return;
    }
    setSending(true);
    try {
      const { job, handover } = await api().createJob(validation.input);
      const savedToken = form.credential_mode === 'token';
      setCreated({ job, savedToken, handover });
      // The token is never kept in the page: cleared, and the saved credential chosen in its place (masked).
      setForm((f) => ({
        ...f,
        access_token: '',
        credential_label: '',
        ...(savedToken && job.credential_id && { credential_mode: 'saved' as const, credential_id: job.credential_id }),
      }));
      setTouched({});
      setSubmitted(false);
      focusNext('created');
      void loadAssignData();
    } catch (error) {
      if (error instanceof ApiError) {
        const fields = fieldErrorsFromDetails(error.details);
        setServerErrors(fields);
        setServerMessage(error.message);
      } else {
        setServerMessage((error as Error).message);
      }
      focusNext('refusal');
      void loadAssignData();
    } finally {
      setSending(false);
    }
  };

  return (
    <section className="view jobs-ui assign-view" aria-labelledby="view-title">
      <h1 id="view-title">Assign job</h1>
      {loadError ? (
        <div className="banner banner-error" role="alert">
          {loadError}{' '}
          <button type="button" onClick={() => void loadAssignData()}>
            Try again
          </button>
        </div>
      ) : null}
      {created ? <Created job={created.job} savedToken={created.savedToken} handover={created.handover} linkRef={createdLink} /> : null}
      {serverMessage ? (
        <div ref={refusal} tabIndex={-1} className="banner banner-error" role="alert" data-testid="assign-server-error">
          <strong>The console refused the job:</strong> {serverMessage}
        </div>
      ) : null}
      <form
        ref={formRef}
        className="assign-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
        data-testid="assign-form"
      >
        <fieldset>
          <legend>What to crawl</legend>
          <Field label="Job type" id={ids.type} error={shown('job_type')} hint={JOB_TYPE_HELP[form.job_type]}>
            <select id={ids.type} value={form.job_type} onChange={(e) => update('job_type', e.target.value)} aria-describedby={describedBy(ids.type)} data-testid="assign-job-type">
              {JobTypeSchema.options.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </Field>
          <Field label="GitLab host" id={ids.host} error={shown('gitlab_host')} hint="e.g. gitlab.example.com (a scheme, port or path is allowed)">
            <input
              id={ids.host}
              type="text"
              value={form.gitlab_host}
              onChange={(e) => update('gitlab_host', e.target.value)}
              onBlur={blur('gitlab_host')}
              placeholder="gitlab.example.com"
              autoComplete="off"
              spellCheck={false}
              aria-invalid={shown('gitlab_host') !== undefined}
              aria-describedby={describedBy(ids.host)}
              data-testid="assign-host"
            />
          </Field>
          <div className="form-pair">
            <Field label="Entity id" id={ids.entity} error={shown('entity_id')} hint={needsEntity ? 'the project, group or user id — or give a namespace path' : 'optional'}>
              <input
                id={ids.entity}
                type="text"
                value={form.entity_id}
                onChange={(e) => update('entity_id', e.target.value)}
                onBlur={blur('entity_id')}
                autoComplete="off"
                spellCheck={false}
                aria-invalid={shown('entity_id') !== undefined}
                aria-describedby={describedBy(ids.entity)}
                data-testid="assign-entity"
              />
            </Field>
            <Field label="Namespace path" id={ids.ns} error={shown('namespace_path')} hint={form.job_type === 'discover_namespaces' ? 'optional: discover under this group only' : 'e.g. acme/platform/api'}>
              <input
                id={ids.ns}
                type="text"
                value={form.namespace_path}
                onChange={(e) => update('namespace_path', e.target.value)}
                onBlur={blur('namespace_path')}
                autoComplete="off"
                spellCheck={false}
                aria-invalid={shown('namespace_path') !== undefined}
                aria-describedby={describedBy(ids.ns)}
                data-testid="assign-namespace"
              />
            </Field>
          </div>
        </fieldset>

        <fieldset data-testid="assign-credential">
          <legend>GitLab credential</legend>
          <div className="radios" role="radiogroup" aria-label="Where the token comes from">
            <label>
              <input type="radio" name="credential_mode" checked={form.credential_mode === 'saved'} onChange={() => update('credential_mode', 'saved')} disabled={credentials.length === 0} data-testid="cred-mode-saved" />
              A saved credential{credentials.length === 0 ? <span className="muted"> (none saved yet)</span> : null}
            </label>
            <label>
              <input type="radio" name="credential_mode" checked={form.credential_mode === 'token'} onChange={() => update('credential_mode', 'token')} data-testid="cred-mode-token" />
              Enter a token
            </label>
            <label>
              <input type="radio" name="credential_mode" checked={form.credential_mode === 'auto'} onChange={() => update('credential_mode', 'auto')} data-testid="cred-mode-auto" />
              The newest token saved for this host <span className="muted">(the crawler asks if there is none)</span>
            </label>
          </div>
          {form.credential_mode === 'saved' ? (
            <Field
              label="Saved credential"
              id={ids.cred}
              error={shown('credential_id')}
              hint={
                chosenCredential && form.gitlab_host.trim() && !sameHost(chosenCredential.gitlab_host, form.gitlab_host)
                  ? `Note: this credential is for ${chosenCredential.gitlab_host}, not ${form.gitlab_host.trim()}.`
                  : 'tokens are stored encrypted and shown only by their last characters'
              }
            >
              <select id={ids.cred} value={form.credential_id} onChange={(e) => update('credential_id', e.target.value)} aria-describedby={describedBy(ids.cred)} data-testid="assign-credential-select">
                <option value="">Choose…</option>
                {[...hostCredentials, ...credentials.filter((c) => !hostCredentials.includes(c))].map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.label} — {c.gitlab_host} {c.token_hint}
                  </option>
                ))}
              </select>
            </Field>
          ) : null}
          {form.credential_mode === 'token' ? (
            <div className="form-pair">
              <Field label="GitLab token" id={ids.token} error={shown('access_token')} hint="saved encrypted with the job; afterwards shown only masked">
                <input
                  id={ids.token}
                  type="password"
                  value={form.access_token}
                  onChange={(e) => update('access_token', e.target.value)}
                  onBlur={blur('access_token')}
                  autoComplete="new-password"
                  spellCheck={false}
                  aria-invalid={shown('access_token') !== undefined}
                  aria-describedby={describedBy(ids.token)}
                  data-testid="assign-token"
                />
              </Field>
              <Field label="Label (optional)" id={ids.label} error={shown('credential_label')} hint="to recognise the saved credential later">
                <input id={ids.label} type="text" value={form.credential_label} onChange={(e) => update('credential_label', e.target.value)} maxLength={100} aria-describedby={describedBy(ids.label)} data-testid="assign-token-label" />
              </Field>
            </div>
          ) : null}
        </fieldset>

        <fieldset>
          <legend>Where it runs</legend>
          <div className="radios" role="radiogroup" aria-label="Target">
            <label>
              <input type="radio" name="target" checked={form.target === 'queue'} onChange={() => update('target', 'queue')} data-testid="target-queue" />
              The queue <span className="muted">(the next crawler with free capacity takes it, by priority)</span>
            </label>
            <label>
              <input type="radio" name="target" checked={form.target === 'crawler'} onChange={() => update('target', 'crawler')} data-testid="target-crawler" />
              A connected crawler, now
            </label>
          </div>
          {form.target === 'crawler' ? (
            <Field
              label="Crawler"
              id={ids.crawler}
              error={shown('crawler_id')}
              hint={
                free.length === 0
                  ? 'No connected crawler has free capacity now: queue the job instead, or wait (this list follows the crawlers live).'
                    : asksForWork(chosenCrawler)
                    ? `This crawler never said hello, so it ignores pushed jobs: the job ${HANDOVER_ON_REQUEST}.`
                    : `${free.length} of ${crawlers.filter((c) => c.connection).length} connected crawlers can take a job now`
              }
            >
              <select id={ids.crawler} value={form.crawler_id} onChange={(e) => update('crawler_id', e.target.value)} aria-describedby={describedBy(ids.crawler)} data-testid="assign-crawler">
                <option value="">Choose…</option>
                {chosenCrawler && !hasFreeCapacity(chosenCrawler) ? (
                  <option value={chosenCrawler.crawler_id} disabled>
                    {chosenCrawler.crawler_id} — full ({chosenCrawler.active_jobs} of {chosenCrawler.capacity})
                  </option>
                ) : null}
                {form.crawler_id && !chosenCrawler ? (
                  <option value={form.crawler_id} disabled>
                    {form.crawler_id} — not connected
                  </option>
                ) : null}
                {free.map((c) => (
                  <option key={c.crawler_id} value={c.crawler_id}>
                    {c.crawler_id}
                    {c.name ? ` (${c.name})` : ''} — {c.active_jobs} of {c.capacity} jobs{asksForWork(c) ? ' · takes work when it asks' : ''}
                  </option>
                ))}
              </select>
            </Field>
          ) : null}
          <Field label="Priority" id={ids.prio} error={shown('priority')} hint="higher runs first (-1000 to 1000)">
            <input
              id={ids.prio}
              type="number"
              inputMode="numeric"
              step={1}
              min={-1000}
              max={1000}
              value={form.priority}
              onChange={(e) => update('priority', e.target.value)}
              onBlur={blur('priority')}
              aria-invalid={shown('priority') !== undefined}
              aria-describedby={describedBy(ids.prio)}
              data-testid="assign-priority"
            />
          </Field>
        </fieldset>
        {shown('form') ? (
          <p className="field-error" role="alert">
            {shown('form')}
          </p>
        ) : null}
        <div className="form-actions">
          <button type="submit" className="primary" disabled={sending} data-testid="assign-submit">
            {sending ? 'Creating…' : form.target === 'crawler' ? 'Create and assign' : 'Create and queue'}
          </button>
          {submitted && !validation.ok ? <span className="bad-text">Fix the fields marked above.</span> : null}
        </div>
      </form>
    </section>
  );
}
