// Globals provided by the XS test host (test/xs/host/lwsx-xs-host.c). They exist only when code
// runs in that host (the XS test lane, runInXs): code shared with Node must test for them first,
// e.g. `typeof __lwsxHeap === "function"`.

/** Heap figures read from the XS machine. */
interface LwsxXsHeap {
  /** slots in use (live after a gc(), plus garbage since the last collection otherwise) */
  slots: number;
  /** bytes of chunks in use: strings, array buffers, byte code, ... */
  chunks: number;
  /** highest slot count seen so far */
  peakSlots: number;
  /** highest chunk byte count seen so far */
  peakChunks: number;
  /** bytes per slot on this host (32 on 64-bit; 16 on ESP32) */
  slotSize: number;
}

/** Writes the values, converted with String() and separated by spaces, and a newline to stdout. */
declare function print(...values: unknown[]): void;

/** The host's heap figures. */
declare function __lwsxHeap(): LwsxXsHeap;

/** XS byte codes executed so far: a deterministic computation count (wraps at 2^32). */
declare function __lwsxMeter(): number;

/** Sets the host's exit status (like process.exitCode): it does not stop the program. */
declare function __lwsxExit(code?: number): void;

/** The command line arguments given to the host after "--" (runInXs's `args`). */
declare var __lwsxArgs: string[];

/**
 * Full garbage collection. @types/node already declares `gc` (for --expose-gc) and TypeScript
 * requires a redeclared var to have the very same type; in the XS host it is always defined.
 */
declare var gc: NodeJS.GCFunction | undefined;

// setImmediate(fn, ...args) is provided by the host too; its type comes from @types/node.
// There is no setTimeout, console, queueMicrotask or structuredClone in XS.

/**
 * When defined, the host passes it each promise rejection still unhandled once the job queue has
 * drained (otherwise it reports the rejection on stderr and fails the run). The harness sets it.
 */
declare var __lwsxOnUnhandledRejection: ((reason: unknown) => void) | undefined;
