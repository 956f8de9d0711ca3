import { type FormEvent, useId, useState } from 'react';
import { storeToken, tokenFromInput } from '../transport/token';

/**
 * Where a tab without a (valid) token gets one: paste the address the console
 * printed, or the token alone, instead of a dead end.
 */
export function TokenEntry() {
  const id = useId();
  const [value, setValue] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const token = tokenFromInput(value);
    if (!token) {
      setProblem('That is neither the address the console printed (it ends in #token=…) nor a token. Run crawl-console token to print the token.');
      return;
    }
    storeToken(token);
    window.location.reload();
  };
  return (
    <form className="token-entry ops-ui" onSubmit={submit} data-testid="token-entry" noValidate>
      <label htmlFor={`${id}-token`}>Console address or token</label>
      <div className="token-entry-row">
        <input
          id={`${id}-token`}
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          placeholder="http://127.0.0.1:7420/#token=…"
          aria-invalid={problem ? true : undefined}
          aria-describedby={`${id}-help`}
          data-testid="token-input"
        />
        <button type="submit" className="btn btn-primary" data-testid="token-submit">
          Connect
        </button>
      </div>
      <p id={`${id}-help`} className={problem ? 'field-error' : 'muted'} role={problem ? 'alert' : undefined}>
        {problem ?? 'The address crawl-console serve printed when it started, or the token that crawl-console token prints.'}
      </p>
    </form>
  );
}
