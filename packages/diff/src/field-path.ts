/**
 * Field templates and concrete paths of differences, and the globs rules use to select fields.
 *
 * A template replaces array indexes with `[*]` so statistics aggregate across elements:
 * `body.items[*].price`; the concrete path keeps them: `body.items[3].price`. Object keys that are
 * not identifier-safe are bracket-quoted as JSON strings: `body["a.b"]`, `body["😀"]`.
 */

/** An element of a keyed array (`arrayKeyedBy`): concrete `[id=42]`, template `[*]`. */
export interface KeyedIndex {
  readonly key: string;
  readonly value: string | number | boolean;
}

/** One step into a JSON value: object key, array index, or keyed array element. */
export type PathSegment = string | number | KeyedIndex;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function keySegment(key: string): string {
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** `body.items[*].price` for `['body', 'items', 3, 'price']`. The first segment is the root name. */
export function renderTemplate(segments: readonly PathSegment[]): string {
  let out = '';
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    if (i === 0 && typeof s === 'string') out = s;
    else out += typeof s === 'string' ? keySegment(s) : '[*]';
  }
  return out;
}

/** `body.items[3].price` / `body.items[id=42].price`. */
export function renderPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    if (i === 0 && typeof s === 'string') out = s;
    else if (typeof s === 'string') out += keySegment(s);
    else if (typeof s === 'number') out += `[${s}]`;
    else out += `[${s.key}=${typeof s.value === 'string' ? JSON.stringify(s.value) : String(s.value)}]`;
  }
  return out;
}

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** One segment of a rendered field after the root: `.name` or `[...]` (quoted key or index). */
const SEGMENT = String.raw`(?:\.[^.\[]+|\[(?:"(?:[^"\\]|\\.)*"|[^\]"]*)\])`;

/** Splits a glob into its root and `.x` / `[...]` tokens; brackets may hold quoted strings. */
function tokenizeGlob(glob: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  let current = '';
  while (i < glob.length) {
    const c = glob[i]!;
    if (c === '.') {
      if (current !== '' || tokens.length === 0) tokens.push(current);
      current = '.';
      i++;
    } else if (c === '[') {
      if (current !== '' || tokens.length === 0) tokens.push(current);
      let j = i + 1;
      let inString = false;
      for (; j < glob.length; j++) {
        const d = glob[j]!;
        if (inString) {
          if (d === '\\') j++;
          else if (d === '"') inString = false;
        } else if (d === '"') inString = true;
        else if (d === ']') break;
      }
      if (j >= glob.length) throw new Error(`unclosed "[" in field glob ${JSON.stringify(glob)}`);
      tokens.push(glob.slice(i, j + 1));
      current = '';
      i = j + 1;
    } else {
      current += c;
      i++;
    }
  }
  if (current !== '') tokens.push(current);
  return tokens;
}

/**
 * Compiles a field glob (see `FieldGlob`) to an anchored regular expression on field templates.
 * Throws on a malformed glob. Dot-all: a quoted key may hold U+2028 or U+2029, which
 * `JSON.stringify` leaves as they are, and `**` must still match it.
 */
export function compileFieldGlob(glob: string): RegExp {
  if (glob.trim() === '') throw new Error('empty field glob');
  const tokens = tokenizeGlob(glob.trim());
  let source = '';
  tokens.forEach((token, index) => {
    if (index === 0) {
      if (token === '**') source += '.*';
      else if (token === '*') source += '[^.\\[]+';
      else if (token.startsWith('[')) source += escapeRegex(token);
      else source += token.split('*').map(escapeRegex).join('[^.\\[]*');
      return;
    }
    if (token.startsWith('[')) {
      source += escapeRegex(token);
      return;
    }
    const name = token.slice(1);
    if (name === '') throw new Error(`empty segment in field glob ${JSON.stringify(glob)}`);
    if (name === '**') source += `${SEGMENT}*`;
    else if (name === '*') source += SEGMENT;
    else source += `\\.${name.split('*').map(escapeRegex).join('[^.\\[]*')}`;
  });
  return new RegExp(`^${source}$`, 's');
}

/** Compiles a simple name glob (`x-trace-*`) to an anchored, case-insensitive regular expression. */
export function compileNameGlob(glob: string): RegExp {
  return new RegExp(`^${glob.trim().split('*').map(escapeRegex).join('.*')}$`, 'i');
}
