// Runs a python3+numpy peer as a subprocess with one BLAS thread, so ratios compare single-threaded kernels.
// A missing python3 or numpy is reported, never fatal: the bench then shows only the JS peers.
import { spawnSync } from 'node:child_process';

export type PeerStatus = { ok: true; version: string } | { ok: false; reason: string };

export type NumpyResult<T> = { ok: true; value: T; version: string } | { ok: false; reason: string };

export function numpySubprocess<T extends object>(script: string, input: unknown): NumpyResult<T> {
  const r = spawnSync('python3', [script], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
  });
  if (r.error) return { ok: false, reason: `python3 not runnable: ${r.error.message}` };
  if (r.status !== 0) return { ok: false, reason: `numpy peer skipped: ${r.stderr.trim().split('\n').pop()}` };
  const value = JSON.parse(r.stdout) as T & { numpy?: string };
  return { ok: true, value, version: value.numpy ?? 'unknown' };
}
