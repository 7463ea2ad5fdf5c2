// The compiled CLI (tsc → dist/, as `npm run build:ts` makes it): worker threads load dist/runner/worker.js, not the
// TypeScript sources, and give the same JSON as the in-thread run. Built into a temporary directory (with links to
// build/ and node_modules/) so the repository's own dist/ is never touched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'condlab-dist-'));
const main = join(tmp, 'dist', 'cli', 'main.js');

beforeAll(async () => {
  symlinkSync(join(root, 'build'), join(tmp, 'build'));
  symlinkSync(join(root, 'node_modules'), join(tmp, 'node_modules'));
  mkdirSync(join(tmp, 'bin'));
  copyFileSync(join(root, 'bin', 'condlab.js'), join(tmp, 'bin', 'condlab.js'));
  // async: a blocking spawnSync of the full build can exceed vitest's 60 s RPC timeout on a loaded 2-core machine
  const tsc = await new Promise<{ status: number | null; out: string }>((done) => {
    let out = '';
    const p = spawn(process.execPath, [
      join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json'),
      '--outDir', join(tmp, 'dist'), '--declaration', 'false', '--sourceMap', 'false',
    ]);
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('close', (status) => done({ status, out }));
  });
  expect(tsc.status, tsc.out).toBe(0);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Through the package's bin entry (bin/condlab.js → dist/cli/main.js). */
const bin = (...args: string[]) => spawnSync(process.execPath, [join(tmp, 'bin', 'condlab.js'), ...args], { encoding: 'utf8', cwd: tmpdir() });
/** Through `node --input-type=module -e`, whose flags the workers must not inherit. */
const evalCli = (...args: string[]) =>
  spawnSync(process.execPath, ['--input-type=module', '-e', `const { cli } = await import(${JSON.stringify(main)}); await cli(${JSON.stringify(args)});`], {
    encoding: 'utf8',
    cwd: tmpdir(),
  });

describe('the compiled CLI', () => {
  it('runs with worker threads from dist/ and matches the in-thread run', () => {
    const outs = [0, 2, 3].map((workers) => {
      const out = join(tmp, `out${workers}`);
      const r = (workers === 3 ? evalCli : bin)('run', 'exp2', '--trials', '3', '--dims', '8', '--epochs', '15', '--workers', String(workers), '--out', out, '--quiet');
      expect(r.status, r.stderr).toBe(0);
      const { timing: _t, ...rest } = JSON.parse(readFileSync(join(out, 'exp2.json'), 'utf8'));
      return JSON.stringify(rest);
    });
    expect(outs[1]).toBe(outs[0]);
    expect(outs[2]).toBe(outs[0]);
  });

  it('--version, and a bad option is one line with exit code 2', () => {
    expect(bin('--version').stdout).toMatch(/^condlab \d+\.\d+\.\d+\n$/);
    const r = bin('run', 'exp2', '--trails', '3');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("condlab: run: unknown option '--trails'; did you mean '--trials'?\n");
  });
});
