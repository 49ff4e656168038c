import { Router } from 'express';
import { z } from 'zod';
import { NotFoundError } from '@shadowdiff/core';
import { getExchange, type Pool } from '@shadowdiff/store';
import { parseParams } from '../params';
import { presentCaptured } from '../present-body';

const exchangeParams = z.object({ id: z.uuid('must be an exchange id (a UUID)') });

export function exchangesRouter(pool: Pool): Router {
  const router = Router();
  router.get('/exchanges/:id', async (req, res) => {
    const { id } = parseParams(exchangeParams, req.params);
    const exchange = await getExchange(pool, id);
    if (!exchange) throw new NotFoundError(`no exchange with id '${id}'`);
    res.json({
      ...exchange,
      request: presentCaptured(exchange.request),
      responses: {
        primary: { ...exchange.responses.primary, captured: presentCaptured(exchange.responses.primary.captured) },
        candidate: { ...exchange.responses.candidate, captured: presentCaptured(exchange.responses.candidate.captured) },
        secondary: exchange.responses.secondary
          ? { ...exchange.responses.secondary, captured: presentCaptured(exchange.responses.secondary.captured) }
          : null,
      },
    });
  });
  return router;
}
