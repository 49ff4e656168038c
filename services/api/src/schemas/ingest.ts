import { z } from 'zod';
import { ingestExchangeLineSchema, ingestHalfLineSchema } from '@shadowdiff/recordings';
import { componentSchemas } from './components.ts';

/** The lines the ingest endpoints take, named in the document. */
componentSchemas.add(ingestExchangeLineSchema, { id: 'IngestExchangeLine' });
componentSchemas.add(ingestHalfLineSchema, { id: 'IngestHalfLine' });

export const ingestResultSchema = z
  .object({
    accepted: z.number().describe('lines taken: queued for the workers (halves: or stored to await their partner)'),
    rejected: z.number(),
    errors: z.array(z.object({ line: z.number().describe('from 1'), reason: z.string() })).describe('why each rejected line was refused; nothing of it was filed'),
    paired: z.number().optional().describe('halves: exchanges this request completed and queued'),
  })
  .register(componentSchemas, { id: 'IngestResult' });
