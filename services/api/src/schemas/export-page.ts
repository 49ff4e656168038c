/** The shape of a page of `GET /runs/:run/export`, which `shadowdiff export` and `replay --from-run` read. */
import { z } from 'zod';
import { exportLineSchema } from '@shadowdiff/recordings';

export const exportPageSchema = z.object({
  items: z.array(exportLineSchema),
  /** Exchanges stored before requests were kept for every exchange: they cannot be exported. */
  withoutRequest: z.number().int().nonnegative(),
  /** Pass as `after` for the next page; null on the last. */
  next: z.string().nullable(),
});

/** A page of a run's exchanges as export lines. */
export type ExportPage = z.output<typeof exportPageSchema>;
