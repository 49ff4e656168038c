import type { ComponentChildren } from 'preact';
import { Link } from '../router.tsx';

export interface Crumb {
  label: string;
  href?: string;
}

/** Page frame: product name, breadcrumbs from the runs list to the current view, content. */
export function Layout(props: { crumbs: Crumb[]; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link href="/" class="brand">
          shadowdiff
        </Link>
        <nav aria-label="Breadcrumb" class="crumbs">
          <ol>
            {props.crumbs.map((crumb, i) => (
              <li key={i}>{crumb.href && i < props.crumbs.length - 1 ? <Link href={crumb.href}>{crumb.label}</Link> : <span aria-current="page">{crumb.label}</span>}</li>
            ))}
          </ol>
        </nav>
        <div class="actions">{props.actions}</div>
      </header>
      <main id="main">{props.children}</main>
    </>
  );
}

export function Loading() {
  return (
    <p class="muted" role="status">
      Loading…
    </p>
  );
}

export function ErrorNote(props: { error: Error }) {
  return (
    <p class="error" role="alert">
      {props.error.message}
    </p>
  );
}

/** Shown on an active run whose results lag its traffic beyond the allowed. */
export function LagWarning(props: { run: string; warning: string | null | undefined }) {
  if (!props.warning) return null;
  return (
    <p class="warning" role="alert">
      Run {props.run}: {props.warning}. Its figures are behind its traffic.
    </p>
  );
}
