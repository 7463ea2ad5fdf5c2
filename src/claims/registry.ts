// Which claims exist: one list per experiment, each defined beside the experiment it judges
// (src/experiments/<id>.claims.ts). A new experiment adds its claims by writing such a module with the helpers of
// ./rules.ts and appending it here — see docs/claims.md. The modules import only ./rules.ts, ./tests.ts and ./view.ts,
// never this file, so there is no import cycle.
import type { ClaimDef } from './rules.js';
import { EXP1_CLAIMS } from '../experiments/exp1.claims.js';
import { EXP2_CLAIMS } from '../experiments/exp2.claims.js';
import { EXP3_CLAIMS } from '../experiments/exp3.claims.js';
import { EXP4_CLAIMS } from '../experiments/exp4.claims.js';
import { EXP5_CLAIMS } from '../experiments/exp5.claims.js';
import { EXP6_CLAIMS } from '../experiments/exp6.claims.js';
import { EXP7_CLAIMS } from '../experiments/exp7.claims.js';
import { EXP8_CLAIMS } from '../experiments/exp8.claims.js';
import { EXP9_CLAIMS } from '../experiments/exp9.claims.js';
import { MECHANISMS_CLAIMS } from '../experiments/mechanisms.claims.js';
import { TRANSFORMER_CLAIMS } from '../experiments/transformer.claims.js';
import { FMNIST_CLAIMS } from '../experiments/fmnist.claims.js';
import { SPECTRAL_CHAINS_CLAIMS } from '../experiments/spectral_chains.claims.js';

export const CLAIM_SETS: readonly (readonly ClaimDef[])[] = [
  EXP1_CLAIMS, EXP2_CLAIMS, EXP3_CLAIMS, EXP4_CLAIMS, EXP5_CLAIMS, EXP6_CLAIMS, EXP7_CLAIMS, EXP8_CLAIMS, EXP9_CLAIMS,
  MECHANISMS_CLAIMS, TRANSFORMER_CLAIMS, FMNIST_CLAIMS, SPECTRAL_CHAINS_CLAIMS,
];

/** The paper's C1, C2, … in numeric order, then any other claims in registry order. */
function ordered(sets: readonly (readonly ClaimDef[])[]): ClaimDef[] {
  const all = sets.flat();
  const num = (id: string) => (/^C\d+$/.test(id) ? Number(id.slice(1)) : Infinity);
  const ids = new Set<string>();
  for (const c of all) {
    if (ids.has(c.id)) throw new Error(`claim id ${c.id} registered twice`);
    ids.add(c.id);
  }
  return all.map((c, i) => ({ c, i })).sort((x, y) => num(x.c.id) - num(y.c.id) || x.i - y.i).map((x) => x.c);
}

export const CLAIMS: readonly ClaimDef[] = ordered(CLAIM_SETS);
