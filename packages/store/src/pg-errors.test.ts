import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable, isDataError } from './pg-errors.ts';

const pgError = (code: string): Error => Object.assign(new Error(`error ${code}`), { code });

describe('Postgres error classification', () => {
  it('calls data exceptions and constraint violations data errors, and nothing else', () => {
    for (const code of ['22P02', '22001', '22021', '23505', '23502', '23514']) expect(isDataError(pgError(code))).toBe(true);
    for (const code of ['08006', '57P01', '53300', '42P01', '40001', 'ECONNREFUSED']) expect(isDataError(pgError(code))).toBe(false);
  });

  it('calls connection failures, shutdowns and exhausted resources unavailable', () => {
    for (const code of ['08000', '08003', '08006', '57P01', '57P02', '57P03', '53300', '53100', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND']) {
      expect(isDatabaseUnavailable(pgError(code)), code).toBe(true);
    }
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it('leaves data errors, query bugs and cancelled statements to the caller', () => {
    // 57014 is a cancelled statement (statement_timeout): the database is up.
    for (const code of ['22P02', '23505', '42P01', '42703', '57014', '40P01']) expect(isDatabaseUnavailable(pgError(code)), code).toBe(false);
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false);
  });

  it('accepts anything thrown, not only errors', () => {
    for (const thrown of [undefined, null, 'text', 42, {}]) {
      expect(isDataError(thrown)).toBe(false);
      expect(isDatabaseUnavailable(thrown)).toBe(false);
    }
  });
});
