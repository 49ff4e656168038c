import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';

export interface Column<T> {
  key: string;
  label: string;
  /** The value sorted on; absent: the column does not sort. */
  sortValue?: (row: T) => number | string | null;
  render: (row: T) => ComponentChildren;
  numeric?: boolean;
  title?: string;
}

/**
 * A table whose headers sort it (click or Enter/Space on the header button; again to reverse).
 * Sorting state lives in the URL query when `onSortChange` is given, so a sorted view is shareable.
 */
export function SortableTable<T>(props: {
  rows: T[];
  columns: Column<T>[];
  rowKey: (row: T) => string;
  initialSort?: { key: string; descending: boolean };
  caption?: string;
  empty?: ComponentChildren;
}) {
  const [sort, setSort] = useState(props.initialSort ?? null);
  const rows = useMemo(() => {
    if (!sort) return props.rows;
    const column = props.columns.find((c) => c.key === sort.key);
    if (!column?.sortValue) return props.rows;
    const value = column.sortValue;
    return [...props.rows].sort((a, b) => {
      const x = value(a);
      const y = value(b);
      if (x === y) return 0;
      if (x === null) return 1;
      if (y === null) return -1;
      const order = x < y ? -1 : 1;
      return sort.descending ? -order : order;
    });
  }, [props.rows, props.columns, sort]);

  if (props.rows.length === 0) return <p class="muted">{props.empty ?? 'Nothing yet.'}</p>;
  return (
    <table>
      {props.caption && <caption>{props.caption}</caption>}
      <thead>
        <tr>
          {props.columns.map((column) => {
            const active = sort?.key === column.key;
            const ariaSort = active ? (sort!.descending ? 'descending' : 'ascending') : 'none';
            return (
              <th key={column.key} scope="col" class={column.numeric ? 'num' : undefined} aria-sort={column.sortValue ? ariaSort : undefined} title={column.title}>
                {column.sortValue ? (
                  <button
                    type="button"
                    class="sort"
                    onClick={() => setSort({ key: column.key, descending: active ? !sort!.descending : true })}
                  >
                    {column.label}
                    <span aria-hidden="true">{active ? (sort!.descending ? ' ▼' : ' ▲') : ''}</span>
                  </button>
                ) : (
                  column.label
                )}
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={props.rowKey(row)}>
            {props.columns.map((column) => (
              <td key={column.key} class={column.numeric ? 'num' : undefined}>
                {column.render(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
