// xoshiro256** (Blackman & Vigna 2018) with SplitMix64 seeding; normals by the Ziggurat method (./ziggurat.ts).
// State lives in a 48-byte block of linear memory so any number of independent generators can coexist:
//   [0..32) four u64 words, [32..48) reserved (zero; the polar method's spare pair lived here before 0.3).
// Everything here is integer or IEEE-exact wasm arithmetic (AssemblyScript's Math is compiled into the module),
// so a stream is bit-identical in every engine that runs the .wasm.

import { zigNormal, zigFill } from "./ziggurat";

export const RNG_STATE_BYTES: i32 = 48;

// @ts-ignore: decorator
@inline function rotl(x: u64, k: u64): u64 {
  return (x << k) | (x >> (64 - k));
}

/** SplitMix64's finaliser: a bijective 64-bit mixer used to derive keys and seed state. */
// @ts-ignore: decorator
@inline export function mix64(z: u64): u64 {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

const GOLDEN: u64 = 0x9e3779b97f4a7c15;

/**
 * Seeds `state` from a 64-bit key (given as two u32 halves, since JS numbers cannot carry a u64 exactly).
 * Keys for streams are derived in `rngDerive`, so (seed, experiment, trial) map to well-separated states.
 */
export function rngSeed(state: usize, keyLo: u32, keyHi: u32): void {
  let z: u64 = (<u64>keyHi << 32) | <u64>keyLo;
  for (let i = 0; i < 4; i++) {
    z += GOLDEN;
    store<u64>(state + (<usize>i << 3), mix64(z));
  }
  // xoshiro must not start from the all-zero state; mix64 of four distinct inputs cannot give four zeros.
  store<u64>(state + 32, 0);
  store<f64>(state + 40, 0);
}

/** Child key = mix(parent key ⊕ mix(index + golden)): one step of a key tree, in the spirit of SeedSequence. */
export function rngDerive(keyLo: u32, keyHi: u32, index: u32, out: usize): void {
  const k: u64 = (<u64>keyHi << 32) | <u64>keyLo;
  const child = mix64(k ^ mix64(<u64>index + GOLDEN));
  store<u64>(out, child);
}

// @ts-ignore: decorator
@inline export function nextU64(s: usize): u64 {
  const s0 = load<u64>(s), s1 = load<u64>(s, 8), s2 = load<u64>(s, 16), s3 = load<u64>(s, 24);
  const result = rotl(s1 * 5, 7) * 9;
  const t = s1 << 17;
  const n2 = s2 ^ s0;
  const n3 = s3 ^ s1;
  store<u64>(s, s0 ^ n3);
  store<u64>(s, s1 ^ n2, 8);
  store<u64>(s, n2 ^ t, 16);
  store<u64>(s, rotl(n3, 45), 24);
  return result;
}

/** Uniform in [0, 1) with 53 random bits. */
// @ts-ignore: decorator
@inline export function nextUniform(s: usize): f64 {
  return <f64>(nextU64(s) >> 11) * 1.1102230246251565e-16; // 2^-53
}

/** Standard normal (Ziggurat, assembly/rng/ziggurat.ts). */
// @ts-ignore: decorator
@inline export function nextNormal(s: usize): f64 {
  return zigNormal(s);
}

export function rngNextU32(s: usize): u32 {
  return <u32>(nextU64(s) >> 32);
}

export function rngNextUniform(s: usize): f64 {
  return nextUniform(s);
}

export function rngNextNormal(s: usize): f64 {
  return nextNormal(s);
}

/** out[i] = mean + std·N(0,1), i < n. */
export function rngFillNormal(s: usize, out: usize, n: i32, mean: f64, std: f64): void {
  zigFill(s, out, n, mean, std);
}

/** out[i] = lo + (hi − lo)·U[0,1), i < n. */
export function rngFillUniform(s: usize, out: usize, n: i32, lo: f64, hi: f64): void {
  const w = hi - lo;
  for (let i = 0; i < n; i++) {
    store<f64>(out + (<usize>i << 3), lo + w * nextUniform(s));
  }
}
