import type { PoolClient } from './pool.ts';

/**
 * Several writes of one batch as one SQL statement: `WITH w0 AS (INSERT …), w1 AS (INSERT …)
 * SELECT 1`, each step fed its rows as one jsonb parameter. A stored batch's differences,
 * counters and latency sketches then cost one round trip to Postgres instead of one each, and
 * the rows every worker updates (a route's counters, its sketches' buckets) stay locked for one
 * statement and the commit rather than for a string of them. Postgres runs the steps of one
 * statement text in a fixed order, so writers still lock rows in one order.
 */
export class BatchStatement {
  private readonly steps: string[] = [];
  private readonly params: string[] = [];

  /** Adds a step; `$rows` in `sql` stands for `rows` as jsonb. A step without rows is left out. */
  add(sql: string, rows: readonly unknown[]): void {
    if (rows.length === 0) return;
    this.params.push(JSON.stringify(rows));
    this.steps.push(`w${this.steps.length} AS (${sql.replaceAll('$rows', `$${this.params.length}::jsonb`)})`);
  }

  /** Runs every step, in the caller's transaction; nothing to do when no step has rows. */
  async run(client: PoolClient): Promise<void> {
    if (this.steps.length === 0) return;
    await client.query(`WITH ${this.steps.join(',\n')}\nSELECT 1`, this.params);
  }
}
