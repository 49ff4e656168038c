import type { CapturedBody, CapturedRequest, CapturedResponse } from '@shadowdiff/core';

/**
 * Cuts a body at `maxBytes`, as the tap keeps only the first `tap.maxBodyBytes` of what it sees
 * (the size seen stays as given): an exchange captured elsewhere costs the queue and the
 * database no more than one the tap captured.
 */
export function capBody(body: CapturedBody, maxBytes: number): void {
  // base64 of n bytes is about 4n/3 characters: only a body near the cap is decoded to measure it.
  if (body.base64.length <= Math.floor(maxBytes / 3) * 4) return;
  const bytes = Buffer.from(body.base64, 'base64');
  body.size = Math.max(body.size, bytes.length);
  if (bytes.length <= maxBytes) return;
  body.base64 = bytes.subarray(0, maxBytes).toString('base64');
  body.truncated = true;
}

/** Caps the bodies of a request and its responses. */
export function capBodies(maxBytes: number, request: CapturedRequest | undefined, ...responses: (CapturedResponse | undefined)[]): void {
  if (request) capBody(request.body, maxBytes);
  for (const response of responses) if (response) capBody(response.body, maxBytes);
}
