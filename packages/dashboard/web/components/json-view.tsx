import type { ComponentChildren } from 'preact';

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const keyPath = (parent: string, key: string): string => (IDENTIFIER.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`);
/** `body.items[3].price` → `body.items[*].price`: how fields are templated. */
export const templateOf = (path: string): string => path.replace(/\[\d+\]/g, '[*]');

/**
 * JSON pretty-printed as text nodes (never HTML: values from traffic cannot inject markup), with
 * the values at `highlight` paths (concrete paths or field templates) marked.
 */
export function JsonView(props: { value: unknown; root?: string; highlight: ReadonlySet<string> }) {
  const root = props.root ?? 'body';
  const marked = (path: string) => props.highlight.has(path) || props.highlight.has(templateOf(path));
  const render = (value: unknown, path: string, indent: string): ComponentChildren => {
    if (value === null || typeof value !== 'object') {
      const text = JSON.stringify(value);
      return marked(path) ? (
        <mark data-path={path} title={path}>
          {text}
        </mark>
      ) : (
        <span class={`json-${value === null ? 'null' : typeof value}`}>{text}</span>
      );
    }
    const inner = `${indent}  `;
    const entries: [string, unknown, string][] = Array.isArray(value)
      ? value.map((v, i) => ['', v, `${path}[${i}]`])
      : Object.entries(value).map(([k, v]) => [JSON.stringify(k), v, keyPath(path, k)]);
    const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
    if (entries.length === 0) return `${open}${close}`;
    const body = (
      <>
        {open}
        {'\n'}
        {entries.map(([label, v, childPath], i) => (
          <>
            {inner}
            {label && <span class={marked(childPath) ? 'json-key marked-key' : 'json-key'}>{label}</span>}
            {label && ': '}
            {render(v, childPath, inner)}
            {i < entries.length - 1 ? ',' : ''}
            {'\n'}
          </>
        ))}
        {indent}
        {close}
      </>
    );
    return marked(path) ? (
      <mark data-path={path} title={path}>
        {body}
      </mark>
    ) : (
      body
    );
  };
  return <pre class="json">{render(props.value, root, '')}</pre>;
}
