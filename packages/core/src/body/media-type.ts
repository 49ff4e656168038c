/** `application/json` from `Application/JSON; charset=utf-8`; empty when absent. */
export function mediaTypeOf(contentType: string | undefined): string {
  if (!contentType) return '';
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

/** True for a JSON body: `application/json`, `text/json`, or any `+json` type (`application/problem+json`). */
export function isJsonContentType(contentType: string | undefined): boolean {
  const mediaType = mediaTypeOf(contentType);
  return mediaType === 'application/json' || mediaType === 'text/json' || mediaType.endsWith('+json');
}

/** True for a form body: `application/x-www-form-urlencoded`, whatever its parameters. */
export function isFormContentType(contentType: string | undefined): boolean {
  return mediaTypeOf(contentType) === 'application/x-www-form-urlencoded';
}
