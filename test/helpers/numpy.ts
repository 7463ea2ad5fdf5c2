// Runs a small python3+numpy script as an independent reference. Tests call `numpyAvailable()` and skip with a
// message when it is absent, so the suite stays green on machines without python.
import { spawnSync } from 'node:child_process';

let cached: boolean | undefined;

export function numpyAvailable(): boolean {
  if (cached === undefined) {
    const r = spawnSync('python3', ['-c', 'import numpy; print(numpy.__version__)'], { encoding: 'utf8' });
    cached = r.status === 0;
  }
  return cached;
}

/** Feeds `input` as JSON on stdin to `script` (which reads json from sys.stdin) and parses its JSON stdout. */
export function runNumpy<T>(script: string, input: unknown): T {
  const r = spawnSync('python3', ['-c', script], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
