#!/usr/bin/env node
// Runs the compiled CLI (dist/, built by `npm install` / `npm run build`).
import { existsSync } from 'node:fs';
const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('condlab: dist/ is missing; run `npm run build` (npm install does it too)\n');
  process.exit(2);
}
const { cli } = await import(entry.href);
await cli(process.argv.slice(2));
