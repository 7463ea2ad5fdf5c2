// Standard-normal throughput: condlab's Ziggurat (xoshiro256**, in WASM, filling a block of linear memory) against
// numpy's Generator.standard_normal (PCG64 + Ziggurat, C) in the same run, same block length, same timing rule
// (median over repeats of fills until a minimum time passes). Run: npx tsx bench/normals.bench.ts [--quick]
import { pathToFileURL } from 'node:url';
import { Engine } from '../src/engine/index.js';
import { numpySubprocess } from './peers.js';

export interface NormalsBenchResult {
  benchmark: 'normals';
  method: string;
  n: number;
  condlab: { perSecond: number; mean: number; variance: number; variant: string };
  numpy: { perSecond?: number; version?: string; bitGenerator?: string; skipped?: string };
  /** condlab normals/s over numpy's (target ≥ 1). */
  ratio?: number;
}

export async function runNormalsBench(opts: { n?: number; repeats?: number; minSeconds?: number; fma?: boolean } = {}): Promise<NormalsBenchResult> {
  const n = opts.n ?? 1 << 20, repeats = opts.repeats ?? 7, minSeconds = opts.minSeconds ?? 0.2;
  const engine = await Engine.load();
  const rates: number[] = [];
  const { mean, variance } = engine.scope(() => {
    const v = engine.vector(n);
    const rng = engine.rng(20261201);
    rng.fillNormal(v); // warm-up (builds the tables)
    for (let r = 0; r < repeats; r++) {
      let count = 0;
      const t0 = performance.now();
      let dt = 0;
      do {
        rng.fillNormal(v);
        count += n;
        dt = (performance.now() - t0) / 1e3;
      } while (dt < minSeconds);
      rates.push(count / dt);
    }
    const a = v.toArray();
    let m = 0, s = 0;
    for (const x of a) m += x;
    m /= n;
    for (const x of a) s += (x - m) ** 2;
    return { mean: m, variance: s / n };
  });
  rates.sort((a, b) => a - b);
  const condlab = { perSecond: rates[rates.length >> 1], mean, variance, variant: (engine as { variant?: string }).variant ?? 'plain' };
  const py = numpySubprocess<{ perSecond: number; bitGenerator: string; error?: string }>('bench/numpy_normals.py', { n, repeats, minSeconds });
  const numpy = py.ok && !py.value.error
    ? { perSecond: py.value.perSecond, version: py.version, bitGenerator: py.value.bitGenerator }
    : { skipped: py.ok ? py.value.error : py.reason };
  return {
    benchmark: 'normals',
    method: `median over ${repeats} repeats of filling ${n} f64 until ${minSeconds} s pass; numpy: Generator(PCG64).standard_normal(out=), one thread`,
    n,
    condlab,
    numpy,
    ratio: numpy.perSecond ? condlab.perSecond / numpy.perSecond : undefined,
  };
}

export function formatNormalsTable(r: NormalsBenchResult): string {
  const m = (x?: number) => (x === undefined ? '—' : (x / 1e6).toFixed(1));
  return [
    `Standard normals, blocks of ${r.n}, million per second (median)`,
    'condlab (Ziggurat, xoshiro256**)  numpy (Ziggurat, PCG64)  condlab/numpy',
    `${m(r.condlab.perSecond).padStart(32)}  ${m(r.numpy.perSecond).padStart(23)}  ${r.ratio === undefined ? '—' : r.ratio.toFixed(2).padStart(13)}`,
    r.numpy.skipped ? `numpy: ${r.numpy.skipped}` : `numpy ${r.numpy.version}, ${r.numpy.bitGenerator}`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const quick = process.argv.includes('--quick');
  console.log(formatNormalsTable(await runNormalsBench(quick ? { repeats: 3, minSeconds: 0.05 } : {})));
}
