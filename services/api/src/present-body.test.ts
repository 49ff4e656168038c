import { describe, expect, it } from 'vitest';
import { presentCaptured } from './present-body.ts';

const captured = (contentType: string, bytes: Buffer) => ({
  headers: { 'content-type': contentType },
  body: { base64: bytes.toString('base64'), size: bytes.length, truncated: false },
});

describe('captured bodies as the API shows them', () => {
  it('decodes text in the charset its Content-Type names, as the diff engine reads it', () => {
    const shown = presentCaptured(captured('text/plain; charset=iso-8859-1', Buffer.from([0x68, 0xe9, 0x6c, 0x6c, 0x6f])));
    expect(shown?.body).toEqual({ encoding: 'text', text: 'héllo', size: 5, truncated: false });
  });

  it('parses JSON, and leaves bytes that are not UTF-8 text as base64', () => {
    expect(presentCaptured(captured('application/json', Buffer.from('{"a":"é"}')))?.body).toMatchObject({ encoding: 'text', json: { a: 'é' } });
    const binary = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00]);
    expect(presentCaptured(captured('image/jpeg', binary))?.body).toEqual({ encoding: 'base64', base64: binary.toString('base64'), size: 5, truncated: false });
  });
});
