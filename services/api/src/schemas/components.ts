import { z } from 'zod';

/**
 * Response schemas with a name: the OpenAPI document lists them under `components.schemas` and
 * refers to them by name, so clients generated from it get named types.
 */
export const componentSchemas = z.registry<{ id: string }>();
