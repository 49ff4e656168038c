import { z } from 'zod';

export const port = z.number().int().min(0).max(65535);
export const positiveInt = z.number().int().positive();
export const httpUrl = z.url({ protocol: /^https?$/ });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A run's name: how captures are filed and how people refer to it. Never UUID-shaped, since `:run` takes ids too. */
export const runNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'letters, digits, ".", "_" or "-", at most 100')
  .refine((name) => !UUID.test(name), 'must not look like a run id (a UUID)');
