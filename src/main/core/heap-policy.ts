/**
 * The console's V8 heap policy, applied by the hosts (the desktop app and the
 * headless command) to the process they own; a program that embeds the socket
 * API keeps its own.
 *
 * Why: after a full collection V8 lets the old generation grow to about four
 * times what survived it before it collects again (on a machine with memory to
 * spare), and it keeps the pages it freed for reuse. The console's live heap is
 * small (25-35 MiB while it ingests a million jobs), but ingest promotes garbage
 * steadily, so the heap climbed to 130-170 MiB between collections: half of the
 * console's peak RSS, against a 300 MiB budget. Growing by at most twice the
 * survivors (the factor V8 itself uses when its heap limit is small) measured,
 * at a million jobs: peak RSS 319 -> 246-252 MiB, 9 -> 21 full collections of
 * 10-25 ms each, ingest rate unchanged within the machine's noise.
 *
 * Set at run time: a flag on the command line would not reach the desktop
 * app's main process, and V8 reads this one at every collection. Node and
 * Electron's main process both leave V8's flags writable after start-up
 * (--no-freeze-flags-after-init) so that v8.setFlagsFromString works.
 */
import v8 from 'node:v8';

/** The old generation may grow to (1 + this/100) times what survived the last full collection. */
export const HEAP_GROWING_PERCENT = 100;

export function applyConsoleHeapPolicy(): void {
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
