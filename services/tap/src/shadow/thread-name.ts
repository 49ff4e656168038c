import { writeFileSync } from 'node:fs';

/** What `top -H`, `ps -L` and `/proc/<pid>/task/<tid>/comm` call the tap's shadow thread. */
export const SHADOW_THREAD_NAME = 'sd-shadow';

/**
 * Names the calling thread as the kernel shows it (Linux: at most 15 bytes, through
 * `/proc/thread-self/comm`), so the thread's CPU can be told apart from the serving thread's.
 * Elsewhere, or where /proc cannot be written, the thread keeps its name.
 */
export function nameThread(name: string): void {
  try {
    writeFileSync('/proc/thread-self/comm', name);
  } catch {
    // A name is a convenience: nothing depends on it.
  }
}
