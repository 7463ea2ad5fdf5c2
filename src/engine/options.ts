// Option checking for every engine call that takes an options object. From plain JS a misspelt key
// (`{ vector: false }`) would otherwise be ignored silently, so unknown keys are errors with a did-you-mean, and
// each known key is checked for type and range. A new option is one line in the call's spec.
import { CondlabError } from './errors.js';

export type OptionRule =
  | { kind: 'boolean' }
  | { kind: 'number'; min?: number; max?: number; openMin?: boolean; openMax?: boolean; integer?: boolean }
  | { kind: 'enum'; values: readonly string[] };

export type OptionSpec = Readonly<Record<string, OptionRule>>;

export const bool = (): OptionRule => ({ kind: 'boolean' });
export const int = (min: number, max: number): OptionRule => ({ kind: 'number', min, max, integer: true });
/** A finite number, optionally bounded; `openMin`/`openMax` exclude the bound itself. */
export const num = (r: { min?: number; max?: number; openMin?: boolean; openMax?: boolean } = {}): OptionRule => ({ kind: 'number', ...r });
export const oneOf = (...values: string[]): OptionRule => ({ kind: 'enum', values });

function describeRule(r: OptionRule): string {
  if (r.kind === 'boolean') return 'true or false';
  if (r.kind === 'enum') return r.values.map((v) => `'${v}'`).join(' or ');
  const what = r.integer ? 'an integer' : 'a finite number';
  if (r.integer && r.min !== undefined && r.max !== undefined && !r.openMin && !r.openMax) return `${what} from ${r.min} to ${r.max}`;
  if (r.min !== undefined && r.max !== undefined && r.openMin && r.openMax) return `${what} in (${r.min}, ${r.max})`;
  const lo = r.min === undefined ? '' : `${r.openMin ? '>' : '≥'} ${r.min}`;
  const hi = r.max === undefined ? '' : `${r.openMax ? '<' : '≤'} ${r.max}`;
  return [what, lo, lo && hi ? 'and' : '', hi].filter(Boolean).join(' ');
}

function fits(r: OptionRule, v: unknown): boolean {
  if (r.kind === 'boolean') return typeof v === 'boolean';
  if (r.kind === 'enum') return typeof v === 'string' && r.values.includes(v);
  if (typeof v !== 'number' || !Number.isFinite(v)) return false;
  if (r.integer && !Number.isInteger(v)) return false;
  if (r.min !== undefined && (r.openMin ? v <= r.min : v < r.min)) return false;
  if (r.max !== undefined && (r.openMax ? v >= r.max : v > r.max)) return false;
  return true;
}

/** Optimal-string-alignment distance, small strings only. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.length][b.length];
}

/** The closest allowed name if it is plausibly a typo (case-insensitive, within a third of its length). */
export function suggest(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined, bestD = Infinity;
  for (const a of allowed) {
    const d = editDistance(key.toLowerCase(), a.toLowerCase());
    if (d < bestD) [best, bestD] = [a, d];
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}

/**
 * Checks `opts` against `spec` and returns it typed. `undefined` counts as "not given" (so `{ tol: undefined }`
 * means the default), anything else must fit its rule.
 */
export function checkOptions<T extends object>(op: string, opts: T | undefined, spec: OptionSpec): Partial<T> {
  if (opts === undefined) return {};
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new CondlabError(`${op} options must be an object, got ${opts === null ? 'null' : Array.isArray(opts) ? 'an array' : typeof opts}`, 'bad-option', { op });
  }
  const allowed = Object.keys(spec);
  for (const [key, value] of Object.entries(opts)) {
    const rule = Object.prototype.hasOwnProperty.call(spec, key) ? spec[key] : undefined;
    if (!rule) {
      const hint = suggest(key, allowed);
      throw new CondlabError(
        `${op} has no option '${key}'${hint ? ` — did you mean '${hint}'?` : ''}; its options are ${allowed.map((a) => `'${a}'`).join(', ') || 'none'}`,
        'unknown-option',
        { op, option: key, allowed, ...(hint ? { suggestion: hint } : {}) },
      );
    }
    if (value !== undefined && !fits(rule, value)) {
      const shown = typeof value === 'string' ? `'${value}'` : typeof value === 'object' && value !== null ? Object.prototype.toString.call(value) : String(value);
      throw new CondlabError(`${op} option ${key} must be ${describeRule(rule)}, got ${shown}`, 'bad-option', {
        op,
        option: key,
        value,
        allowed: describeRule(rule),
      });
    }
  }
  return opts;
}
