/**
 * cdktf records where every token (Lazy, Intrinsic, reference) was created: its
 * `captureStackTrace` (cdktf/lib/tokens/private/stack-trace.js) raises Error.stackTraceLimit to
 * Number.MAX_SAFE_INTEGER, has V8 format the whole stack into text and splits it into lines, once
 * per token. The lines are read only to print "Object creation stack" when resolving a token fails
 * (cdktf/lib/tokens/resolvable.js, intrinsic.js). The generated bindings create a token for every
 * attribute reference, so a 1 000-guest synthesis formats hundreds of thousands of stack traces:
 * before this module, the largest single cost of `pvestack synth`.
 *
 * During synthesis that capture is replaced by one that records nothing. Nothing synthesized
 * changes (the traces never reach cdk.tf.json or the manifest); a failing token resolution then
 * lacks the creation stack, which PVESTACK_DEBUG=1 brings back. cdktf 0.21.0 is the last cdktf
 * release, so the private module is stable; when it is not where expected, nothing is replaced.
 */

type Capture = (below?: unknown) => string[];

interface StackTraceModule {
  captureStackTrace: Capture;
}

function stackTraceModule(): StackTraceModule | undefined {
  try {
    const mod = require('cdktf/lib/tokens/private/stack-trace') as Partial<StackTraceModule>;
    return typeof mod.captureStackTrace === 'function' ? (mod as StackTraceModule) : undefined;
  } catch {
    return undefined;
  }
}

const recordNothing: Capture = () => [];

/** Runs `fn` with cdktf's per-token stack traces off (unless PVESTACK_DEBUG is set), then restores them. */
export function withoutTokenStackTraces<T>(fn: () => T): T {
  const mod = process.env.PVESTACK_DEBUG ? undefined : stackTraceModule();
  if (!mod) return fn();
  const original = mod.captureStackTrace;
  // cdktf's modules call it as `(0, stack_trace_1.captureStackTrace)()`, reading the export on
  // every call, so replacing the export reaches every caller.
  mod.captureStackTrace = recordNothing;
  try {
    return fn();
  } finally {
    mod.captureStackTrace = original;
  }
}
