import type { CapturedBody } from '@shadowdiff/core';

/** Bytes as a capture holds them (base64; empty for none). */
export function base64Of(bytes: Uint8Array | null): string {
  return bytes && bytes.length > 0 ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64') : '';
}

/** Keeps the first `limit` bytes of a body seen in chunks, and counts all of them. */
export class BodyRecorder {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  size = 0;

  constructor(private readonly limit: number) {}

  add(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.kept >= this.limit) return;
    const room = this.limit - this.kept;
    const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
    this.chunks.push(part);
    this.kept += part.length;
  }

  get truncated(): boolean {
    return this.size > this.kept;
  }

  /** The kept bytes; a single Buffer (copied only when several chunks were kept). */
  bytes(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.kept);
  }

  toCaptured(): CapturedBody {
    return { base64: this.kept === 0 ? '' : this.bytes().toString('base64'), size: this.size, truncated: this.truncated };
  }
}
