/** The tap redacts with core's redactor; the replay's modules import it by this path. */
export { createRedactor, type Redactor, type RedactorOptions } from '@shadowdiff/core';
