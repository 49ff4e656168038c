/**
 * SQL that is true when the transaction in `column` (an xid8) wrote its row after the snapshot
 * in `snapshot` (a `pg_snapshot` parameter, e.g. `$2`) was taken: a transaction that snapshot did
 * not see. The lower bound on the snapshot's xmin is the same test made cheap for the many rows
 * written long before; it lets Postgres skip the visibility check for them.
 */
export function changedSince(column: string, snapshot: string): string {
  return `${column} >= pg_snapshot_xmin(${snapshot}::pg_snapshot) AND NOT pg_visible_in_snapshot(${column}, ${snapshot}::pg_snapshot)`;
}
