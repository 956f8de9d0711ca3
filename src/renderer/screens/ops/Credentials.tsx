import { useEffect, useId, useRef, useState } from 'react';
import { commands } from '../../../shared/contract';
import type { Credential } from '../../../shared/records';
import { api } from '../../state/bus';
import { ConfirmDialog } from './components/Dialog';
import { formatShortTime, messageOf } from './format';
import { useCredentials } from './state/credentials-store';

type Field = 'gitlab_host' | 'label' | 'access_token';
const SaveInput = commands.saveCredential.input;

/** One field's error, from the command's own input schema (as the core will check it). */
function fieldError(f: Field, value: string): string | undefined {
  if (f === 'label' && value.trim() === '') return undefined;
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
  const [tokenError, setTokenError] = useState<string | undefined>(undefined);
  const [touched, setTouched] = useState<Partial<Record<Field, true>>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const errors: Partial<Record<Field, string>> = { gitlab_host: fieldError('gitlab_host', host), label: fieldError('label', label), access_token: tokenError };
  const show = (f: Field) => (touched[f] ? errors[f] : undefined);
  const touch = (f: Field) => {
    setTouched((t) => ({ ...t, [f]: true }));
    setSaved(null);
  };
  const submit = async () => {
    const token = tokenRef.current?.value ?? '';
    const tokenProblem = fieldError('access_token', token);
    setTokenError(tokenProblem);
    setTouched({ gitlab_host: true, label: true, access_token: true });
    if (errors.gitlab_host || errors.label || tokenProblem) return;
    setBusy(true);
    setError(null);
    try {
      const { credential, answered_refresh_requests } = await api().saveCredential({
        gitlab_host: host,
        access_token: token,
        ...(label.trim() !== '' && { label }),
      });
      if (tokenRef.current) tokenRef.current.value = '';
      setHost('');
      setLabel('');
      setTouched({});
      setSaved(
        `Saved “${credential.label}” for ${credential.gitlab_host} (${credential.token_hint}).` +
          (answered_refresh_requests > 0 ? ` ${answered_refresh_requests} waiting crawler request${answered_refresh_requests === 1 ? ' was' : 's were'} answered with it.` : ''),
      );
      void useCredentials.getState().load();
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

export function Credentials() {
  const { credentials, loaded, error } = useCredentials();
  const [target, setTarget] = useState<Credential | null>(null);
  const [busy, setBusy] = useState(false);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    void useCredentials.getState().load();
  }, []);
  const remove = async () => {
    if (!target) return;
    setBusy(true);
    setDeleteError(null);
    try {
      await api().deleteCredential({ id: target.id });
      setNotice(`Deleted “${target.label}”.`);
      setTarget(null);
      void useCredentials.getState().load();
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
                  <td className="muted small">{c.cipher_kind}</td>
                  <td title={new Date(c.created_at).toLocaleString()}>{formatShortTime(c.created_at)}</td>
                  <td>
                    <div className="row-actions">
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
      </ConfirmDialog>
    </section>
  );
}
