import { z } from 'zod';

export const port = z.number().int().min(0).max(65535);
export const positiveInt = z.number().int().positive();
export const httpUrl = z.url({ protocol: /^https?$/ });
