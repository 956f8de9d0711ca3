import { useId } from 'react';
import { type FieldSpec, formatUnitHint, fromText, toText } from '../state/settings-fields';

const UNIT_LABEL = { ms: 'ms', bytes: 'bytes', count: null, seconds: 's' } as const;

/** One configuration option: its input, its meaning, whether it needs a restart, and its error as you type. */
export function ConfigField({
  spec,
  running,
  draft,
  error,
  restart,
  pending,
  noEffect,
  onChange,
}: {
  spec: FieldSpec;
  running: unknown;
  draft: string | undefined;
  error: string | undefined;
  restart: boolean;
  /** Saved, but the running console still uses the old value until it restarts. */
  pending: boolean;
  /** Accepted for compatibility with the seed's configuration, read by nothing here: why. */
  noEffect?: string | undefined;
  onChange: (text: string) => void;
}) {
  const id = useId();
  const text = draft ?? toText(spec, running);
  const edited = draft !== undefined;
  const value = fromText(spec, text);
  const hint = formatUnitHint(spec, value);
  const unit = spec.unit ? UNIT_LABEL[spec.unit] : null;
  const describedBy = [`${id}-help`, error ? `${id}-err` : null].filter(Boolean).join(' ');
  const common = {
    id,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy,
    'data-testid': `config-${spec.key}`,
  } as const;
  let input;
  if (spec.kind === 'boolean') {
    input = (
      <label className="check">
        <input type="checkbox" checked={text === 'true'} onChange={(e) => onChange(e.target.checked ? 'true' : 'false')} {...common} />
        {text === 'true' ? 'On' : 'Off'}
      </label>
    );
  } else if (spec.kind === 'level') {
    input = (
      <select value={text} onChange={(e) => onChange(e.target.value)} {...common}>
        {['debug', 'info', 'warn', 'error'].map((l) => (
          <option key={l} value={l}>
            {l}
          </option>
        ))}
      </select>
    );
  } else if (spec.kind === 'list') {
    input = <textarea rows={2} value={text} onChange={(e) => onChange(e.target.value)} {...common} />;
  } else {
    const numeric = spec.kind === 'int' || spec.kind === 'number';
    input = (
      <span className="input-unit">
        <input type="text" inputMode={numeric ? 'decimal' : undefined} value={text} spellCheck={false} onChange={(e) => onChange(e.target.value)} {...common} />
        {unit ? <span className="unit">{unit}</span> : null}
      </span>
    );
  }
  return (
    <div className={`config-field${edited ? ' is-edited' : ''}${error ? ' is-invalid' : ''}`} data-field={spec.key}>
      <div className="config-label">
        {spec.kind === 'boolean' ? <span id={`${id}-label`}>{spec.label}</span> : <label htmlFor={id}>{spec.label}</label>}
        {noEffect !== undefined ? (
          <span className="tag tag-inert" title={noEffect} data-testid={`config-${spec.key}-no-effect`}>
            no effect here
          </span>
        ) : pending ? (
          <span className="tag tag-pending" title="Saved; the console uses the new value after it restarts" data-testid={`config-${spec.key}-pending`}>
            restart pending
          </span>
        ) : restart ? (
          <span className="tag tag-restart" title="Takes effect after the console restarts">
            restart
          </span>
        ) : (
          <span className="tag tag-live" title="Takes effect at once">
            live
          </span>
        )}
        {edited ? <span className="tag tag-edited">edited</span> : null}
      </div>
      {input}
      <span id={`${id}-help`} className="config-help">
        {spec.help}
        {noEffect !== undefined ? <span className="muted"> Accepted for compatibility; no effect here: {noEffect}</span> : null}
        {hint && spec.unit !== 'count' ? <span className="muted"> ({hint})</span> : null} <code className="muted">{spec.key}</code>
      </span>
      {error ? (
        <span id={`${id}-err`} className="field-error" role="alert" data-testid={`config-${spec.key}-error`}>
          {error}
        </span>
      ) : null}
    </div>
  );
}
