/**
 * Every failure condlab reports on purpose is a CondlabError: it names the bad value and what is allowed,
 * so a user never has to read a WASM trap or a NaN table to find out what went wrong.
 */
export class CondlabError extends Error {
  constructor(
    message: string,
    /** Stable machine-readable category, e.g. 'bad-dimension', 'shape-mismatch', 'non-finite'. */
    readonly code: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'CondlabError';
  }
}

/** Largest side we accept for one matrix dimension; far beyond anything that fits, it only stops absurd input early. */
export const MAX_DIM = 1 << 24;

export function checkDim(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_DIM) {
    throw new CondlabError(
      `${name} must be an integer from 1 to ${MAX_DIM}, got ${String(value)}`,
      'bad-dimension',
      { name, value },
    );
  }
  return value;
}

export function checkFiniteNumber(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new CondlabError(`${name} must be a finite number, got ${String(value)}`, 'non-finite', { name, value });
  }
  return value;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  if (bytes >= 2 ** 10) return `${(bytes / 2 ** 10).toFixed(1)} KiB`;
  return `${bytes} B`;
}
