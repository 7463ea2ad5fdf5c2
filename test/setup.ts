// One fast-check seed per test run: FC_SEED when set (CI sets it, so CI is reproducible), otherwise a fresh one,
// printed so any failure can be replayed with FC_SEED=<seed> npm test.
import fc from 'fast-check';

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : (Date.now() ^ (process.pid << 8)) >>> 0;
fc.configureGlobal({ seed });
if (!process.env.FC_SEED_PRINTED) {
  process.env.FC_SEED_PRINTED = '1';
  console.log(`fast-check seed ${seed} (replay with FC_SEED=${seed})`);
}
