import { useEffect, useRef, useState } from 'preact/hooks';
import { api, seg } from '../api.ts';
import type { RequestBody, TriageState } from '../types.ts';

/** What the dialog does: put a mark on the field, or hide it with an ignore rule. */
export type TriageAction = TriageState | 'ignore';

/** What is triaged: one field of a route, or a finding (every one of its fields). */
export type TriageTarget = { kind: 'field'; route: string; field: string } | { kind: 'finding'; id: string; title: string };

const TITLES: Record<TriageAction, string> = {
  noise: 'Mark as noise',
  expected: 'Mark as expected',
  ignore: 'Add an ignore rule',
  real: 'Count as real',
};

/** FNV-1a, 32 bits, as hex: a short stable tag for a (route, field) pair. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * Sends one triage action: for a field, a mark (noise, expected, or real over noise learned from an
 * earlier run) with a reason, or an ignoreField rule; for a finding, a mark on every one of its fields.
 */
export async function applyTriage(run: string, target: TriageTarget, action: TriageAction, reason: string): Promise<void> {
  if (target.kind === 'finding') {
    // A finding's fields are marked together only as noise or expected: counting one as real, or
    // ignoring it, is decided field by field.
    if (action !== 'noise' && action !== 'expected') throw new Error(`a finding cannot be marked ${action}`);
    await api(`/runs/${seg(run)}/findings/${seg(target.id)}/triage`, { method: 'PUT', body: { state: action, reason } satisfies RequestBody<'markFinding'> });
    return;
  }
  const { route, field } = target;
  if (action === 'ignore') {
    // Unique per route and field, readable, and within the rule-name alphabet.
    const readable = `ignore-${field}`.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/-+/g, '-').slice(0, 80);
    const name = `${readable}-${fnv1a(`${route}\n${field}`)}`;
    await api(`/runs/${seg(run)}/rules`, { method: 'POST', body: { name, kind: 'ignoreField', route, fields: [field] } satisfies RequestBody<'addRule'> });
    return;
  }
  await api(`/runs/${seg(run)}/triage`, { method: 'PUT', body: { route, field, state: action, reason } satisfies RequestBody<'markField'> });
}

export async function clearTriage(run: string, route: string, field: string): Promise<void> {
  await api(`/runs/${seg(run)}/triage?route=${seg(route)}&field=${seg(field)}`, { method: 'DELETE' });
}

export async function removeRule(run: string, name: string): Promise<void> {
  await api(`/runs/${seg(run)}/rules/${seg(name)}`, { method: 'DELETE' });
}

/** A modal form asking for the reason of a triage action; Escape closes it. */
export function TriageDialog(props: { run: string; target: TriageTarget; action: TriageAction; onClose: (changed: boolean) => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  const needsReason = props.action !== 'ignore';
  return (
    <dialog ref={ref} aria-labelledby="triage-title" onClose={() => props.onClose(false)}>
      <form
        method="dialog"
        onSubmit={async (event) => {
          event.preventDefault();
          if (needsReason && !reason.trim()) {
            setError('Give a reason: it is shown to everyone reading this run.');
            return;
          }
          setBusy(true);
          try {
            await applyTriage(props.run, props.target, props.action, reason.trim());
            props.onClose(true);
          } catch (e) {
            setError((e as Error).message);
            setBusy(false);
          }
        }}
      >
        <h2 id="triage-title">{TITLES[props.action]}</h2>
        {props.target.kind === 'field' ? (
          <p>
            <code>{props.target.route}</code> · <code>{props.target.field}</code>
          </p>
        ) : (
          <p>
            <strong>{props.target.title}</strong>: every field of this finding gets the mark.
          </p>
        )}
        {needsReason ? (
          <>
            <label for="reason">Reason</label>
            <br />
            <textarea id="reason" rows={3} cols={40} autoFocus value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
          </>
        ) : (
          <p>Differences on this field will be hidden for this route (counted as ignored, with the rule's name).</p>
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <p class="form-actions">
          <button type="submit" class="primary" disabled={busy}>
            {TITLES[props.action]}
          </button>{' '}
          <button type="button" onClick={() => props.onClose(false)}>
            Cancel
          </button>
        </p>
      </form>
    </dialog>
  );
}
