/** Bounds on decoding captured bodies (content codings and charsets are removed by `@shadowdiff/core`). */

/** 8 MiB: the default bound on a decompressed body. */
export const DEFAULT_MAX_DECODED_BYTES = 8 * 1024 * 1024;
