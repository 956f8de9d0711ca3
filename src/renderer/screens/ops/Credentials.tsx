import { useId, useRef, useState } from 'react';
import { commands } from '../../../shared/contract';
import type { Credential } from '../../../shared/records';
import { api } from '../../state/bus';
import { useNow } from '../../components/use-now';
import { ConfirmDialog } from './components/Dialog';
import { formatShortTime, formatTime, messageOf } from './format';
import { formatDate } from '../../components/format';
import { reloadCredentials, useCredentials } from './state/credentials-store';
import { credentialState, parseExpiry } from './state/credential-state';

type Field = 'gitlab_host' | 'label' | 'access_token' | 'expires_at';
const SaveInput = commands.saveCredential.input;

/** What saving a token did for the jobs and crawlers waiting on one. */
function followUp(answered: number, requeued: number | undefined): string {
  const parts: string[] = [];
  if (answered > 0) parts.push(`${answered} waiting crawler request${answered === 1 ? ' was' : 's were'} answered with it`);
  if (requeued) parts.push(`${requeued} job${requeued === 1 ? '' : 's'} waiting for credentials went back to the queue`);
  return parts.length ? ` ${parts.join('; ')}.` : '';
}

/** One field's error, from the command's own input schema (as the core will check it). */
function fieldError(f: Field, value: string): string | undefined {
  if (f === 'label' && value.trim() === '') return undefined;
  if (f === 'expires_at') return parseExpiry(value).error;
  const r = SaveInput.shape[f].safeParse(value);
  return r.success ? undefined : r.error.issues[0]?.message;
}

/**
 * The token input is uncontrolled: React would otherwise mirror its value into
 * the `value` attribute, and so into the page's HTML. The token lives in the
 * input alone until it is sent, then the input is emptied.
 */
function AddCredential() {
  const id = useId();
  const tokenRef = useRef<HTMLInputElement>(null);
  const [host, setHost] = useState('');
  const [label, setLabel] = useState('');
  const [expires, setExpires] = useState('');
  const [tokenError, setTokenError] = useState<string | undefined>(undefined);
  const [touched, setTouched] = useState<Partial<Record<Field, true>>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const errors: Partial<Record<Field, string>> = {
    gitlab_host: fieldError('gitlab_host', host),
    label: fieldError('label', label),
    access_token: tokenError,
    expires_at: fieldError('expires_at', expires),
  };
  const show = (f: Field) => (touched[f] ? errors[f] : undefined);
  const touch = (f: Field) => {
    setTouched((t) => ({ ...t, [f]: true }));
    setSaved(null);
  };
  const submit = async () => {
    const token = tokenRef.current?.value ?? '';
    const tokenProblem = fieldError('access_token', token);
    setTokenError(tokenProblem);
    setTouched({ gitlab_host: true, label: true, access_token: true, expires_at: true });
    if (errors.gitlab_host || errors.label || errors.expires_at || tokenProblem) return;
    const expiresAt = parseExpiry(expires).at;
    setBusy(true);
    setError(null);
    try {
      const { credential, answered_refresh_requests, requeued_jobs } = await api().saveCredential({
        gitlab_host: host,
        access_token: token,
        ...(label.trim() !== '' && { label }),
        ...(expiresAt !== undefined && { expires_at: expiresAt }),
      });
      if (tokenRef.current) tokenRef.current.value = '';
      setHost('');
      setLabel('');
      setExpires('');
      setTouched({});
      setSaved(`Saved “${credential.label}” for ${credential.gitlab_host} (${credential.token_hint}).` + followUp(answered_refresh_requests, requeued_jobs));
      reloadCredentials();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  const errorOf = (f: Field) =>
    show(f) ? (
      <span id={`${id}-${f}-err`} className="field-error" data-testid={`cred-${f}-error`}>
        {show(f)}
      </span>
    ) : null;
  const described = (f: Field) => ({ 'aria-invalid': show(f) ? true : undefined, 'aria-describedby': show(f) ? `${id}-${f}-err` : undefined });
  return (
    <form
      className="card form-card"
      aria-labelledby={`${id}-title`}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2 id={`${id}-title`}>Add a credential</h2>
      <div className="form-grid form-grid-3">
        <div className="field">
          <label htmlFor={`${id}-gitlab_host`}>GitLab host</label>
          <input
            id={`${id}-gitlab_host`}
            value={host}
            placeholder="gitlab.example.com"
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => {
              setHost(e.target.value);
              touch('gitlab_host');
            }}
            data-testid="cred-gitlab_host"
            {...described('gitlab_host')}
          />
          {errorOf('gitlab_host')}
        </div>
        <div className="field">
          <label htmlFor={`${id}-label`}>Label (optional)</label>
          <input
            id={`${id}-label`}
            value={label}
            placeholder="e.g. research bot"
            autoComplete="off"
            onChange={(e) => {
              setLabel(e.target.value);
              touch('label');
            }}
            data-testid="cred-label"
            {...described('label')}
          />
          {errorOf('label')}
        </div>
        <div className="field">
          <label htmlFor={`${id}-access_token`}>Access token</label>
          <input
            id={`${id}-access_token`}
            ref={tokenRef}
            type="password"
            autoComplete="new-password"
            spellCheck={false}
            placeholder="glpat-…"
            onChange={(e) => {
              setTokenError(fieldError('access_token', e.target.value));
              touch('access_token');
            }}
            data-testid="cred-access_token"
            {...described('access_token')}
          />
          {errorOf('access_token')}
        </div>
        <div className="field">
          <label htmlFor={`${id}-expires_at`}>Expires (optional)</label>
          <input
            id={`${id}-expires_at`}
            type="date"
            value={expires}
            onChange={(e) => {
              setExpires(e.target.value);
              touch('expires_at');
            }}
            data-testid="cred-expires_at"
            {...described('expires_at')}
          />
          {errorOf('expires_at')}
        </div>
      </div>
      <p className="muted small">The token is stored encrypted and is never shown again: only its last four characters.</p>
      {error ? (
        <p className="form-error" role="alert" data-testid="cred-error">
          {error}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="cred-save">
          {busy ? 'Saving…' : 'Save credential'}
        </button>
        <span className="ok-text" role="status" data-testid="cred-saved">
          {saved}
        </span>
      </div>
    </form>
  );
}

/** Replaces a credential's token in place; the token input is uncontrolled, as in AddCredential. */
function ReplaceTokenDialog({ target, onClose, onDone }: { target: Credential | null; onClose: () => void; onDone: (text: string) => void }) {
  const id = useId();
  const tokenRef = useRef<HTMLInputElement>(null);
  const [expires, setExpires] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const close = () => {
    setExpires('');
    setError(null);
    onClose();
  };
  const submit = async () => {
    if (!target) return;
    const token = tokenRef.current?.value ?? '';
    const problem = fieldError('access_token', token) ?? parseExpiry(expires).error;
    if (problem) return setError(problem);
    const expiresAt = parseExpiry(expires).at;
    setBusy(true);
    setError(null);
    try {
      const r = await api().replaceCredentialToken({ id: target.id, access_token: token, ...(expiresAt !== undefined && { expires_at: expiresAt }) });
      if (tokenRef.current) tokenRef.current.value = '';
      onDone(`Replaced the token of “${r.credential.label}” (now ${r.credential.token_hint}); its jobs use the new one.` + followUp(r.answered_refresh_requests, r.requeued_jobs));
      close();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <ConfirmDialog
      open={target !== null}
      title={`New token for “${target?.label ?? ''}”`}
      confirmLabel="Replace token"
      busy={busy}
      error={error}
      onConfirm={() => void submit()}
      onClose={close}
      testId="credential-replace-dialog"
    >
      <p>
        Every job that uses this credential ({target?.gitlab_host}, now {target?.token_hint}) gets the new token; crawlers waiting for one are sent it.
      </p>
      <div className="field">
        <label htmlFor={`${id}-token`}>New access token</label>
        <input id={`${id}-token`} ref={tokenRef} type="password" autoComplete="new-password" spellCheck={false} placeholder="glpat-…" data-testid="credential-replace-token" />
      </div>
      <div className="field">
        <label htmlFor={`${id}-expires`}>Expires (optional)</label>
        <input id={`${id}-expires`} type="date" value={expires} onChange={(e) => setExpires(e.target.value)} data-testid="credential-replace-expires" />
      </div>
    </ConfirmDialog>
  );
}

/**
 * Moves every unfinished job of a credential to another one: the way out when a
 * credential in use must go (its token leaked, its owner left).
 */
function MoveJobsDialog({
  source,
  credentials,
  onClose,
  onDone,
}: {
  source: Credential | null;
  credentials: readonly Credential[];
  onClose: () => void;
  onDone: (text: string) => void;
}) {
  const id = useId();
  const others = credentials.filter((c) => c.id !== source?.id);
  const [to, setTo] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const chosen = others.find((c) => c.id === to) ?? others.find((c) => c.gitlab_host === source?.gitlab_host) ?? others[0];
  const close = () => {
    setTo('');
    setError(null);
    onClose();
  };
  const submit = async () => {
    if (!source || !chosen) return;
    setBusy(true);
    setError(null);
    try {
      const r = await api().moveJobsToCredential({ credential_id: chosen.id, from_credential_id: source.id });
      onDone(`Moved ${r.moved} job${r.moved === 1 ? '' : 's'} from “${source.label}” to “${chosen.label}”.` + followUp(r.answered_refresh_requests, r.requeued_jobs));
      close();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <ConfirmDialog
      open={source !== null}
      title={`Move the jobs of “${source?.label ?? ''}”`}
      confirmLabel="Move jobs"
      busy={busy}
      disabled={!chosen}
      error={error}
      onConfirm={() => void submit()}
      onClose={close}
      testId="credential-move-dialog"
    >
      {chosen ? (
        <div className="field">
          <label htmlFor={`${id}-to`}>Every unfinished job that uses it will use</label>
          <select id={`${id}-to`} value={chosen.id} onChange={(e) => setTo(e.target.value)} data-testid="credential-move-to">
            {others.map((c) => (
              <option key={c.id} value={c.id}>
                {c.label} — {c.gitlab_host} ({c.token_hint})
              </option>
            ))}
          </select>
        </div>
      ) : (
        <p>There is no other credential to move its jobs to. Add one above first.</p>
      )}
    </ConfirmDialog>
  );
}

export function Credentials() {
  const { credentials, loaded, error } = useCredentials();
  const [target, setTarget] = useState<Credential | null>(null);
  const [busy, setBusy] = useState(false);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [replacing, setReplacing] = useState<Credential | null>(null);
  const [moving, setMoving] = useState<Credential | null>(null);
  const done = (text: string) => {
    setNotice(text);
    reloadCredentials();
  };
  const now = useNow(60_000);
  const remove = async () => {
    if (!target) return;
    setBusy(true);
    setDeleteError(null);
    try {
      await api().deleteCredential({ id: target.id });
      setNotice(`Deleted “${target.label}”.`);
      setTarget(null);
      reloadCredentials();
    } catch (e) {
      // The console refuses while jobs use the credential, and says which: show its words.
      setDeleteError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="view ops-ui" aria-labelledby="view-title">
      <h1 id="view-title">
        Credentials <span className="count">{loaded ? `${credentials.length} saved` : ''}</span>
      </h1>
      <AddCredential />
      {error ? (
        <div className="banner banner-error" role="alert">
          Could not load the saved credentials: {error}
        </div>
      ) : null}
      <p className="status-line" role="status">
        {notice}
      </p>
      {!loaded ? (
        <p className="muted">Loading…</p>
      ) : credentials.length === 0 ? (
        <div className="empty" data-testid="credentials-empty">
          <h2>No saved credential</h2>
          <p>Add a GitLab token above. Jobs for a host use its saved token, and crawlers asking for a fresh token get it.</p>
        </div>
      ) : (
        <div className="table-scroll">
          <table className="table" data-testid="credential-table">
            <caption className="sr-only">Saved GitLab credentials</caption>
            <thead>
              <tr>
                <th scope="col">Label</th>
                <th scope="col">GitLab host</th>
                <th scope="col">Token</th>
                <th scope="col">State</th>
                <th scope="col">Expires</th>
                <th scope="col">Stored as</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {credentials.map((c) => (
                <tr key={c.id} data-testid="credential-row" data-credential-id={c.id}>
                  <th scope="row">{c.label}</th>
                  <td>{c.gitlab_host}</td>
                  <td className="mono" data-testid="credential-hint">
                    {c.token_hint}
                  </td>
                  <td data-testid="credential-state">
                    {(() => {
                      const st = credentialState(c, now);
                      return (
                        <span className={`badge badge-${st.tone}`} title={st.title}>
                          {st.text}
                        </span>
                      );
                    })()}
                  </td>
                  <td>{c.expires_at ? formatDate(c.expires_at) : '—'}</td>
                  <td className="muted small">{c.cipher_kind}</td>
                  <td title={formatTime(c.created_at)}>{formatShortTime(c.created_at)}</td>
                  <td>
                    <div className="row-actions">
                      <button type="button" className="btn btn-small" onClick={() => setReplacing(c)} aria-label={`Replace the token of ${c.label}`} data-testid="credential-replace">
                        Replace token…
                      </button>
                      <button type="button" className="btn btn-small" onClick={() => setMoving(c)} aria-label={`Move the jobs of ${c.label} to another credential`} data-testid="credential-move">
                        Move jobs…
                      </button>
                      <button type="button" className="btn btn-small btn-danger-quiet" onClick={() => setTarget(c)} aria-label={`Delete credential ${c.label}`} data-testid="credential-delete">
                        Delete…
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog
        open={target !== null}
        title={`Delete “${target?.label ?? ''}”?`}
        confirmLabel="Delete credential"
        danger
        busy={busy}
        error={deleteError}
        onConfirm={() => void remove()}
        onClose={() => {
          setTarget(null);
          setDeleteError(null);
        }}
        testId="credential-delete-dialog"
      >
        <p>
          The token for <strong>{target?.gitlab_host}</strong> ({target?.token_hint}) is deleted from the console. The console refuses while jobs still use it.
        </p>
        {deleteError && target ? (
          <p>
            <button
              type="button"
              className="btn btn-small"
              onClick={() => {
                setMoving(target);
                setTarget(null);
                setDeleteError(null);
              }}
              data-testid="credential-delete-move"
            >
              Move its jobs to another credential…
            </button>
          </p>
        ) : null}
      </ConfirmDialog>
      <ReplaceTokenDialog target={replacing} onClose={() => setReplacing(null)} onDone={done} />
      <MoveJobsDialog source={moving} credentials={credentials} onClose={() => setMoving(null)} onDone={done} />
    </section>
  );
}
