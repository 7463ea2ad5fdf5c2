// Prints docs/spectral-transfer.md's "Transformer" tables from a `transformer` results file:
//   npx tsx bench/transformer-st-table.ts results/transformer.json
import { readFileSync } from 'node:fs';
import { transformerStTables, type TransformerResultsFile } from '../src/report/transformer_st_table.js';

const file = process.argv[2] ?? 'results/transformer.json';
process.stdout.write(transformerStTables(JSON.parse(readFileSync(file, 'utf8')) as TransformerResultsFile));
