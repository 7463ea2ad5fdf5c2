// Known-answer and property tests of the seeded generator (assembly/rng/xoshiro256ss.ts).
// An independent BigInt implementation is the oracle; pinned literals catch any change to the generator itself.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Engine } from '../src/engine/index.js';
import { wasmOf } from '../src/engine/internal.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

const M64 = (1n << 64n) - 1n;
const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (64n - k))) & M64;

/** Reference xoshiro256** (Blackman & Vigna), straight from the published algorithm. */
function* xoshiro(state: bigint[]): Generator<bigint> {
  const s = [...state];
  for (;;) {
    const result = (rotl((s[1] * 5n) & M64, 7n) * 9n) & M64;
    const t = (s[1] << 17n) & M64;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45n);
    yield result;
  }
}

/** Reference SplitMix64 seeding: four successive outputs from the key. */
function splitmixState(key: bigint): bigint[] {
  let z = key;
  const out: bigint[] = [];
  for (let i = 0; i < 4; i++) {
    z = (z + 0x9e3779b97f4a7c15n) & M64;
    let x = z;
    x = ((x ^ (x >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
    x = ((x ^ (x >> 27n)) * 0x94d049bb133111ebn) & M64;
    out.push(x ^ (x >> 31n));
  }
  return out;
}

function rawState(words: bigint[]): number {
  const ptr = wasmOf(engine).alloc(48);
  const view = new BigUint64Array(wasmOf(engine).memory.buffer, ptr, 6);
  words.forEach((w, i) => (view[i] = w));
  view[4] = 0n;
  view[5] = 0n;
  return ptr;
}

describe('xoshiro256** known answers', () => {
  it('the BigInt oracle reproduces the published first outputs for state {1, 2, 3, 4}', () => {
    const g = xoshiro([1n, 2n, 3n, 4n]);
    expect([g.next().value, g.next().value, g.next().value, g.next().value]).toEqual([
      11520n, 0n, 1509978240n, 1215971899390074240n,
    ]);
  });

  it('the wasm generator matches the oracle for 1000 outputs from raw state {1, 2, 3, 4}', () => {
    const ptr = rawState([1n, 2n, 3n, 4n]);
    const g = xoshiro([1n, 2n, 3n, 4n]);
    for (let i = 0; i < 1000; i++) {
      // uniform() exposes the top 53 bits exactly: u·2^53 = x >> 11
      const u = wasmOf(engine).rngNextUniform(ptr);
      expect(BigInt(u * 2 ** 53)).toBe(g.next().value! >> 11n);
    }
    wasmOf(engine).free(ptr, 48);
  });

  it('seeding is SplitMix64 of the key (checked against the oracle for random keys)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (seed) => {
        const r = engine.rng(seed);
        const g = xoshiro(splitmixState(BigInt(seed)));
        for (let i = 0; i < 8; i++) expect(BigInt(r.u32())).toBe(g.next().value! >> 32n);
        r.free();
      }),
      { numRuns: 50 },
    );
  });

  it('pinned outputs of engine.rng(42) and of its stream (42, 1, 7) never change', () => {
    engine.scope(() => {
      const r = engine.rng(42);
      expect([r.u32(), r.u32(), r.u32(), r.u32()]).toEqual(PINNED_42);
      const n = engine.rng(42, 1, 7);
      expect([n.normal(), n.normal(), n.normal()].map((x) => x.toPrecision(17))).toEqual(PINNED_42_1_7_NORMAL);
    });
  });
});

// Computed once from this implementation and cross-checked: the u32 values equal the BigInt oracle's above; the
// normals (Ziggurat since 0.3; the polar method gave 0.126…, −0.300…, −1.178…) equal the independent JS model fed
// the same oracle in test/normal.test.ts, which runs this very stream.
const PINNED_42 = [360188718, 1627707782, 2920764210, 3971525959];
const PINNED_42_1_7_NORMAL = ['0.62900593874875954', '0.40742768882536978', '1.2833782653045771'];

describe('streams', () => {
  it('the same (seed, path) gives the same stream; split(i) equals the path form', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { maxLength: 3 }), (seed, path) => {
        engine.scope(() => {
          const a = engine.rng(seed, ...path);
          const b = engine.rng(seed, ...path);
          let c = engine.rng(seed);
          for (const p of path) c = c.split(p);
          for (let i = 0; i < 5; i++) {
            const x = a.u32();
            expect(b.u32()).toBe(x);
            expect(c.u32()).toBe(x);
          }
        });
      }),
      { numRuns: 100 },
    );
  });

  it('different stream indices give unrelated streams (no equal first words across 2000 siblings)', () => {
    engine.scope(() => {
      const root = engine.rng(42);
      const seen = new Set<number>();
      for (let i = 0; i < 2000; i++) {
        const c = root.split(i);
        seen.add(c.u32());
        c.free();
      }
      expect(seen.size).toBe(2000);
    });
  });

  it('normals have mean 0, variance 1, and the right tail mass (200k draws, 5σ bounds)', () => {
    engine.scope(() => {
      const n = 200_000;
      const v = engine.rng(7).normalVector(n).toArray();
      let mean = 0;
      for (const x of v) mean += x;
      mean /= n;
      let varSum = 0, beyond2 = 0;
      for (const x of v) {
        varSum += (x - mean) ** 2;
        if (Math.abs(x) > 2) beyond2++;
      }
      expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
      expect(Math.abs(varSum / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
      const p = 0.0455; // P(|Z| > 2)
      expect(Math.abs(beyond2 / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
    });
  });

  it('rejects bad seeds and stream indices with the value named', () => {
    expect(() => engine.rng(-1)).toThrow(/seed must be a non-negative safe integer, got -1/);
    expect(() => engine.rng(1.5)).toThrow(/got 1.5/);
    expect(() => engine.rng(1, 2 ** 32)).toThrow(/stream index must be an integer from 0 to 2\^32−1, got 4294967296/);
    expect(() => engine.scope(() => engine.rng(1).fillNormal(engine.vector(2), 0, -1))).toThrow(/std ≥ 0.*std=-1/);
  });
});
