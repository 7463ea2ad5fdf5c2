// The shape every invariant of the suites shares: a named fast-check property whose failure message says which
// invariant broke, by how much against which bound, and on what (shrunk) matrix; plus the worst ratio seen, so a
// conformance table can report margins and not only pass/fail. An implementation that throws, returns the wrong
// shape or NaN, or overruns its time limit is a failure of that implementation with a message, never a crash.
import fc from 'fast-check';
import { formatMatrix, type Dense } from './dense.js';
import type { TestMatrix } from './arbitraries.js';

export const EPS_F64 = 2 ** -52;

/** One evaluation: a measured error against its bound, or the implementation did something unusable. */
export type Verdict =
  | { measured: number; bound: number; quantity: string; boundText: string }
  | { broken: string };

export interface Worst<T> {
  /** measured/bound, the largest seen (Infinity when the bound is 0 and the error is not). */
  ratio: number;
  measured: number;
  bound: number;
  input?: T;
}

export interface SpectralProperty<T = TestMatrix> {
  /** e.g. 'svd.reconstruction'. */
  readonly name: string;
  /** The invariant and its tolerance in words (and why that tolerance). */
  readonly invariant: string;
  readonly arbitrary: fc.Arbitrary<T>;
  /** Evaluate once, without throwing. */
  check(input: T): Verdict;
  /** For fc.assert / fc.check. Throws a SpectralPropertyFailure on a violation. */
  readonly property: fc.IProperty<[T]>;
  /** The worst measured/bound over every evaluation since the last reset (including shrinking). */
  readonly worst: Worst<T>;
  reset(): void;
}

export class SpectralPropertyFailure extends Error {
  constructor(
    readonly property: string,
    message: string,
    readonly measured: number,
    readonly bound: number,
  ) {
    super(message);
    this.name = 'SpectralPropertyFailure';
  }
}

/** How a test input is described in a failure message: kind, shape and every entry (round-trip digits). */
export function describeInput(t: unknown): string {
  const tm = t as Partial<TestMatrix>;
  if (tm && typeof tm === 'object' && tm.a && typeof tm.a === 'object' && 'rows' in tm.a) {
    const a = tm.a as Dense;
    const known = tm.sigma ? `\nknown σ = ${JSON.stringify(tm.sigma)}` : tm.eigenvalues ? `\nknown λ = ${JSON.stringify(tm.eigenvalues)}` : '';
    return `a ${a.rows}×${a.cols} '${tm.kind}' matrix\nA = ${formatMatrix(a)}${known}`;
  }
  return JSON.stringify(t);
}

export function makeProperty<T>(
  name: string,
  invariant: string,
  arbitrary: fc.Arbitrary<T>,
  check: (input: T) => Verdict,
  describe: (input: T) => string = describeInput,
): SpectralProperty<T> {
  const worst: Worst<T> = { ratio: 0, measured: 0, bound: 0 };
  const safeCheck = (input: T): Verdict => {
    try {
      return check(input);
    } catch (e) {
      // the suite's own validation reports through `broken`; anything thrown here is the implementation's output
      // being unusable in a way the validation did not foresee
      return { broken: `could not evaluate the output: ${(e as Error)?.message ?? String(e)}` };
    }
  };
  const property = fc.property(arbitrary, (input) => {
    const v = safeCheck(input);
    if ('broken' in v) {
      worst.ratio = Infinity;
      worst.measured = NaN;
      worst.input = input;
      throw new SpectralPropertyFailure(name, `${name}: ${v.broken}\non ${describe(input)}`, NaN, NaN);
    }
    const ratio = v.measured === 0 ? 0 : v.bound === 0 ? Infinity : v.measured / v.bound;
    // NaN never passes: a NaN error is a broken result, not a small one
    const bad = !(v.measured <= v.bound);
    if (ratio > worst.ratio || (bad && worst.ratio !== Infinity) || Number.isNaN(v.measured)) {
      Object.assign(worst, { ratio: Number.isNaN(v.measured) ? Infinity : ratio, measured: v.measured, bound: v.bound, input });
    }
    if (bad) {
      const over = Number.isFinite(ratio) ? ` (${ratio.toPrecision(3)}× the bound)` : '';
      throw new SpectralPropertyFailure(
        name,
        `${name}: ${v.quantity} = ${fmt(v.measured)} exceeds ${v.boundText} = ${fmt(v.bound)}${over}\non ${describe(input)}`,
        v.measured,
        v.bound,
      );
    }
  });
  return {
    name,
    invariant,
    arbitrary,
    check: safeCheck,
    property,
    worst,
    reset() {
      Object.assign(worst, { ratio: 0, measured: 0, bound: 0, input: undefined });
    },
  };
}

export const fmt = (x: number) => (Number.isFinite(x) && x !== 0 ? x.toExponential(2) : String(x));

export type CallResult<R> = { ok: true; value: R; ms: number } | { ok: false; reason: string };

/**
 * Calls an implementation, catching what it throws and timing it. A synchronous call cannot be interrupted from the
 * same thread, so the limit is checked after it returns: a slow call fails with its time, and a call that never
 * returns hangs the caller — run untrusted code in a worker_thread with a timeout (as the conformance bench does).
 */
export function callTimed<R>(what: string, fn: () => R, timeLimitMs: number): CallResult<R> {
  const t0 = performance.now();
  let value: R;
  try {
    value = fn();
  } catch (e) {
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return { ok: false, reason: `${what} threw ${msg.split('\n')[0].slice(0, 300)}` };
  }
  const ms = performance.now() - t0;
  if (value && typeof (value as { then?: unknown }).then === 'function') {
    return { ok: false, reason: `${what} returned a Promise; the suites take synchronous functions (await the result in an adapter run beforehand)` };
  }
  if (ms > timeLimitMs) return { ok: false, reason: `${what} took ${ms.toFixed(0)} ms, over the ${timeLimitMs} ms limit per call` };
  return { ok: true, value, ms };
}

/** Result of running one property with fc.check: what a conformance table needs. */
export interface PropertyReport {
  name: string;
  invariant: string;
  passed: boolean;
  runs: number;
  worstRatio: number;
  worstMeasured: number;
  worstBound: number;
  /** The shrunk counterexample's failure message (which invariant, by how much, the matrix). */
  failure?: string;
  /** The shrunk counterexample's matrix as rows. */
  counterexample?: number[][];
  seed: number;
}

/** Runs each property with fc.check (never throws on a failing implementation) and reports. */
export function runProperties(props: SpectralProperty<any>[], params: { seed: number; numRuns?: number; shrink?: boolean }): PropertyReport[] {
  return props.map((p) => runProperty(p, params));
}

export function runProperty(p: SpectralProperty<any>, params: { seed: number; numRuns?: number; shrink?: boolean }): PropertyReport {
  p.reset();
  // shrink: false stops at the first failure (no shrunk counterexample): for checks that only ask whether it fails
  const r = fc.check(p.property, { seed: params.seed, numRuns: params.numRuns ?? 100, endOnFailure: params.shrink === false });
  const cex = r.counterexample?.[0] as Partial<TestMatrix> | undefined;
  const err = r.errorInstance as Error | undefined;
  return {
    name: p.name,
    invariant: p.invariant,
    passed: !r.failed,
    runs: r.numRuns,
    worstRatio: p.worst.ratio,
    worstMeasured: p.worst.measured,
    worstBound: p.worst.bound,
    failure: r.failed ? (err?.message ?? String(r.errorInstance)) : undefined,
    counterexample: r.failed && cex?.a ? rowsOf(cex.a) : undefined,
    seed: params.seed,
  };
}

function rowsOf(a: Dense): number[][] {
  return Array.from({ length: a.rows }, (_, i) => Array.from(a.data.subarray(i * a.cols, (i + 1) * a.cols)));
}
