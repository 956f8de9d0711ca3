import { CONFIG_EFFECTS } from '../../../shared/config';
import { useConsole } from '../../state/store';
import { ConfigField } from './components/ConfigField';
import { notificationsEnabled, useNotifications } from './state/notifications';
import { SETTINGS_SECTIONS } from './state/settings-fields';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../state/bus';
import { queryKeys } from '../../query/keys';
import { type RunningConfig, changedValues, draftErrors, useSettings } from './state/settings-store';
import { messageOf } from './format';

const NO_FIELDS: readonly string[] = [];

/** The running configuration and which fields need a restart; read again whenever the screen opens. */
const useRunningConfig = () => useQuery<RunningConfig>({ queryKey: queryKeys.config, queryFn: () => api().getConfig({}), refetchOnMount: 'always' });

function NotificationsSetting() {
  const choice = useNotifications((s) => s.choice);
  const permission = useNotifications((s) => s.permission);
  const setEnabled = useNotifications((s) => s.setEnabled);
  const kind = useConsole((s) => s.transportKind);
  const on = notificationsEnabled(choice, kind);
  return (
    <section className="card" aria-labelledby="notif-title" data-testid="notifications-setting">
      <h2 id="notif-title">Desktop notifications</h2>
      <label className="check">
        <input type="checkbox" checked={on} onChange={(e) => void setEnabled(e.target.checked)} data-testid="notifications-toggle" />
        Notify me when a job fails for good, a crawler is lost, or a job waits for credentials
      </label>
      <p className="muted small" data-testid="notifications-state">
        {permission === 'unsupported'
          ? 'This browser cannot show desktop notifications.'
          : permission === 'denied'
            ? on
              ? 'Notifications are blocked for this page: allow them in the browser’s or system’s settings.'
              : 'Notifications are blocked for this page.'
            : permission === 'default' && on
              ? 'The browser will ask for permission.'
              : `${kind === 'electron' ? 'On by default in the desktop app' : 'Off by default in a browser'}; kept on this computer. At most one per job or crawler, and a few a minute.`}
      </p>
    </section>
  );
}

/** The TLS fingerprint remote crawlers pin: read-only, copyable. */
function TlsFingerprint() {
  const tls = useConsole((s) => s.status?.tls ?? null);
  const tcp = useConsole((s) => s.status?.tcp ?? null);
  if (!tcp) return null;
  return (
    <section className="card" aria-labelledby="tls-title" data-testid="tls-setting">
      <h2 id="tls-title">Crawlers on other machines</h2>
      {tls ? (
        <label className="config-field">
          <span>TLS certificate fingerprint (SHA-256) of {tcp.host}:{tcp.port}</span>
          <input type="text" readOnly value={tls.fingerprint256} onFocus={(e) => e.currentTarget.select()} data-testid="tls-fingerprint" spellCheck={false} />
          <span className="muted small">
            Give crawlers this fingerprint to pin{tls.selfSigned ? ` (a self-signed certificate in ${tls.certPath})` : ` (${tls.certPath})`}.
          </span>
        </label>
      ) : /^(localhost|127\.|::1$|::ffff:127\.)/i.test(tcp.host) ? (
        <p className="muted">The TCP listener on {tcp.host}:{tcp.port} is plain TCP on loopback: only this machine can reach it.</p>
      ) : (
        <p className="banner banner-error" role="alert">
          The TCP listener on {tcp.host}:{tcp.port} is plain TCP: anything sent over it, GitLab tokens included, can be read on the network.
        </p>
      )}
    </section>
  );
}

export function Settings() {
  const running = useRunningConfig();
  const config = running.data?.config ?? null;
  const restartFields = running.data?.restart_required_fields ?? NO_FIELDS;
  const error = running.error ? messageOf(running.error) : null;
  const { drafts, serverErrors, saving, result, pendingRestart } = useSettings();
  const { edit, reset, save } = useSettings.getState();
  const errors = config ? draftErrors(config, drafts) : {};
  const changes = config ? Object.keys(changedValues(config, drafts)) : [];
  const invalid = Object.keys(errors).length > 0;
  const values = config as Record<string, unknown> | null;
  return (
    <section className="view ops-ui" aria-labelledby="view-title">
      <h1 id="view-title">Settings</h1>
      <NotificationsSetting />
      <TlsFingerprint />
      {error ? (
        <div className="banner banner-error" role="alert">
          Could not load the configuration: {error}{' '}
          <button type="button" className="btn btn-small" onClick={() => void running.refetch()}>
            Try again
          </button>
        </div>
      ) : null}
      {!config ? (
        <p className="muted">{running.isFetching ? 'Loading the configuration…' : ''}</p>
      ) : (
        <form
          className="settings"
          aria-label="Runtime configuration"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <p className="muted">
            Fields marked <span className="tag tag-live">live</span> apply at once; <span className="tag tag-restart">restart</span> fields are saved now and
            take effect when the console restarts; <span className="tag tag-inert">no effect here</span> fields are accepted for compatibility with the
            socket API&apos;s configuration and read by nothing in this console. {config.auth_token_set ? 'A TCP auth token is set (it is not shown).' : 'No TCP auth token is set.'}
          </p>
          {SETTINGS_SECTIONS.map((section) => (
            <fieldset key={section.id} className="card settings-section" data-testid={`settings-${section.id}`}>
              <legend>{section.title}</legend>
              <div className="config-grid">
                {section.fields.map((spec) => (
                  <ConfigField
                    key={spec.key}
                    spec={spec}
                    running={values?.[spec.key]}
                    draft={drafts[spec.key]}
                    error={errors[spec.key] ?? serverErrors[spec.key]}
                    restart={restartFields.includes(spec.key)}
                    pending={pendingRestart.includes(spec.key)}
                    noEffect={CONFIG_EFFECTS[spec.key]?.effect === 'none' ? CONFIG_EFFECTS[spec.key]?.why : undefined}
                    onChange={(text) => edit(spec.key, text)}
                  />
                ))}
              </div>
            </fieldset>
          ))}
          <div className="save-bar">
            <button type="submit" className="btn btn-primary" disabled={saving || invalid || changes.length === 0} data-testid="settings-save">
              {saving ? 'Saving…' : changes.length > 0 ? `Save ${changes.length} change${changes.length === 1 ? '' : 's'}` : 'Save'}
            </button>
            <button type="button" className="btn" disabled={Object.keys(drafts).length === 0} onClick={reset}>
              Discard changes
            </button>
            <span className="save-status" role="status" data-testid="settings-result">
              {invalid
                ? 'Fix the marked fields to save.'
                : serverErrors['']
                  ? serverErrors['']
                  : result
                    ? result.changed.length === 0
                      ? 'Nothing changed.'
                      : result.restartRequired.length > 0
                        ? `Saved ${result.changed.join(', ')}. Restart the console for ${result.restartRequired.join(', ')} to take effect${result.changed.length > result.restartRequired.length ? '; the rest applies now' : ''}.`
                        : `Saved ${result.changed.join(', ')}: applied now, no restart needed.`
                    : null}
            </span>
          </div>
        </form>
      )}
    </section>
  );
}
