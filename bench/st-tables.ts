// Prints docs/spectral-transfer.md's per-layer tables from `spectral-chains` and/or `fmnist` results files:
//   npx tsx bench/st-tables.ts results/spectral-chains.json results/fmnist.json
import { readFileSync } from 'node:fs';
import { fmnistStTable, spectralChainsTables, type StResultsFile } from '../src/report/st_tables.js';

for (const path of process.argv.slice(2)) {
  const file = JSON.parse(readFileSync(path, 'utf8')) as StResultsFile;
  const kind = file.experiment ?? (file.trials[0]?.cell.includes('/') ? 'spectral-chains' : 'fmnist');
  process.stdout.write(kind === 'fmnist' ? fmnistStTable(file) : spectralChainsTables(file));
}
