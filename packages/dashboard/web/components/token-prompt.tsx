import { useState } from 'preact/hooks';
import { setToken } from '../api.ts';

/** Asked once when the API wants a token; kept in this tab's session storage. */
export function TokenPrompt(props: { onDone: () => void }) {
  const [value, setValue] = useState('');
  return (
    <main id="main" class="token">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (!value.trim()) return;
          setToken(value.trim());
          props.onDone();
        }}
      >
        <h1>API token</h1>
        <p>This shadowdiff API requires a bearer token. It is kept for this browser session only.</p>
        <label for="token">Token</label>
        <input id="token" name="token" type="password" autoFocus autocomplete="off" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
        <button type="submit">Continue</button>
      </form>
    </main>
  );
}
