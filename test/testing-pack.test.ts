// `condlab/testing` as a user gets it: the package is packed (npm pack) from a staging copy with a freshly compiled
// dist/testing, the tarball is installed offline (from the npm cache) into an empty project together with fast-check, and a
// consumer imports the subpath, runs a suite under fc.assert, and type-checks a .ts file against the shipped types.
// Skips with a message when the offline install cannot work (e.g. an empty npm cache).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'condlab-pack-'));
const stage = join(tmp, 'stage');
const consumer = join(tmp, 'consumer');
/** Async, so the long tsc and npm steps do not block the test worker's event loop (vitest's RPC times out). */
function run(cmd: string, args: string[], cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const p = spawn(cmd, args, { cwd, env: { ...process.env, npm_config_update_notifier: 'false' } });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (status) => done({ status, stdout, stderr }));
    p.on('error', (e) => done({ status: -1, stdout, stderr: String(e) }));
  });
}
const npm = (args: string[], cwd: string) => run('npm', args, cwd);
const tscBin = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
let installProblem: string | undefined;
let tarball = '';

beforeAll(async () => {
  // a staging copy, so packing never touches (or depends on the freshness of) the repository's own dist/
  mkdirSync(stage);
  for (const f of ['package.json', 'README.md', 'bin', 'src', 'assembly']) cpSync(join(root, f), join(stage, f), { recursive: true });
  mkdirSync(join(stage, 'build'));
  cpSync(join(root, 'build', 'condlab.wasm'), join(stage, 'build', 'condlab.wasm'));
  // only dist/testing is compiled (the main entry's consumer test is separate): a third of the full build's time,
  // which matters on a 2-core machine running the rest of the suite alongside
  const tsc = await run(process.execPath, [
    tscBin, join(root, 'src', 'testing', 'index.ts'), '--outDir', join(stage, 'dist', 'testing'), '--rootDir', join(root, 'src', 'testing'),
    '--target', 'ES2022', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--lib', 'ES2022,DOM', '--types', 'node',
    '--strict', '--declaration', '--skipLibCheck',
  ], root);
  expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
  // --ignore-scripts: `prepare` would rebuild the wasm; the staging copy is already built
  const pack = await npm(['pack', '--ignore-scripts', '--silent', '--pack-destination', tmp], stage);
  expect(pack.status, pack.stderr).toBe(0);
  tarball = join(tmp, pack.stdout.trim().split('\n').pop()!);
  mkdirSync(consumer);
  writeConsumerProject(consumer, tarball);
  // `npm ci --offline` takes every package by name, version and integrity from the lockfile, so the npm cache's
  // content (filled when this repository was installed) suffices; a plain `npm install --offline` would also need
  // the registry's package documents, which the cache rarely holds
  const inst = await npm(['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], consumer);
  if (inst.status !== 0) installProblem = `offline install from the npm cache failed: ${inst.stderr.trim().split('\n').slice(-3).join(' | ')}`;
}, 300_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type LockEntry = { version?: string; integrity?: string; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; [k: string]: unknown };

/**
 * package.json + package-lock.json of a consumer depending on the tarball and fast-check, with every other entry
 * copied from this repository's lockfile: the runtime dependency closure of condlab and of fast-check.
 */
function writeConsumerProject(dir: string, tgz: string): void {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string; dependencies: Record<string, string>; peerDependencies: Record<string, string>; peerDependenciesMeta?: unknown; engines?: unknown; bin?: unknown; license?: string };
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const fcVersion = lock.packages['node_modules/fast-check'].version!;
  const deps = { condlab: `file:${tgz}`, 'fast-check': fcVersion };
  const packages: Record<string, LockEntry> = {
    '': { name: 'consumer', dependencies: deps },
    'node_modules/condlab': {
      version: pkg.version,
      resolved: `file:${tgz}`,
      integrity: `sha512-${createHash('sha512').update(readFileSync(tgz)).digest('base64')}`,
      license: pkg.license,
      dependencies: pkg.dependencies,
      peerDependencies: pkg.peerDependencies,
      peerDependenciesMeta: pkg.peerDependenciesMeta,
      bin: pkg.bin,
      engines: pkg.engines,
    },
  };
  // breadth-first over hoisted names; nested node_modules/A/node_modules/B entries travel with A
  const want = [...Object.keys(pkg.dependencies), 'fast-check'];
  const seen = new Set<string>();
  while (want.length) {
    const name = want.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    for (const [path, entry] of Object.entries(lock.packages)) {
      if (path !== `node_modules/${name}` && !path.startsWith(`node_modules/${name}/node_modules/`)) continue;
      const { dev, devOptional, peer, ...clean } = entry as LockEntry & { dev?: boolean; devOptional?: boolean; peer?: boolean };
      void dev; void devOptional; void peer;
      packages[path] = clean;
      for (const d of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) want.push(d);
    }
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: deps }, null, 2));
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ name: 'consumer', lockfileVersion: 3, requires: true, packages }, null, 2));
}

describe('condlab/testing from a packed tarball', () => {
  it('the tarball ships dist/testing with its type declarations', () => {
    const list = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).stdout;
    expect(list).toMatch(/package\/dist\/testing\/index\.js/);
    expect(list).toMatch(/package\/dist\/testing\/index\.d\.ts/);
  });

  it('dist/testing imports nothing but fast-check and its own files (no engine, no wasm)', () => {
    const dir = join(stage, 'dist', 'testing');
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.js'))) {
      const specs = [...readFileSync(join(dir, f), 'utf8').matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);
      for (const s of specs) expect(s === 'fast-check' || /^\.\/[\w-]+\.js$/.test(s), `${f} imports ${s}`).toBe(true);
    }
  });

  it('an empty project imports condlab/testing and runs a suite under fc.assert', async (ctx) => {
    if (installProblem) {
      console.warn(`skipped: ${installProblem}`);
      ctx.skip();
    }
    writeFileSync(
      join(consumer, 'use.mjs'),
      [
        "import fc from 'fast-check';",
        "import { svdProperties, referenceSingularValues, matrixWithSpectrum } from 'condlab/testing';",
        '// the oracle itself as the "implementation" (values only): it must pass the value properties',
        'const props = svdProperties((rows) => ({ s: referenceSingularValues(rows) }), { vectors: false, maxDim: 5 });',
        'for (const p of props) fc.assert(p.property, { numRuns: 10, seed: 1 });',
        'const [t] = fc.sample(matrixWithSpectrum({ sigma: [3, 2, 1] }), { numRuns: 1, seed: 2 });',
        "console.log(JSON.stringify({ names: props.map((p) => p.name), sigma: t.sigma }));",
      ].join('\n'),
    );
    const r = await run(process.execPath, ['use.mjs'], consumer);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { names: string[]; sigma: number[] };
    expect(out.names).toContain('svd.reference');
    expect(out.sigma).toEqual([3, 2, 1]);
  });

  it('a consumer .ts file type-checks against the shipped declarations (and a misuse does not)', async (ctx) => {
    if (installProblem) {
      console.warn(`skipped: ${installProblem}`);
      ctx.skip();
    }
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, lib: ['ES2022', 'DOM'], types: [] }, include: ['*.ts'] }),
    );
    const good = [
      "import fc from 'fast-check';",
      "import { svdProperties, eigProperties, graded, type SvdFunction, type TestMatrix, type PropertyReport, runProperties } from 'condlab/testing';",
      'const mine: SvdFunction = (rows) => ({ s: rows.map((r) => Math.hypot(...r)) });',
      'const arb: fc.Arbitrary<TestMatrix> = graded({ side: "row", maxDecades: 6 });',
      'const reports: PropertyReport[] = runProperties(svdProperties(mine, { vectors: false }), { seed: 1, numRuns: 1 });',
      'const names: string[] = eigProperties((rows) => ({ values: rows.map(() => 0) })).map((p) => p.name);',
      'export { arb, reports, names };',
    ].join('\n');
    writeFileSync(join(consumer, 'good.ts'), good);
    // the types are real, not `any`: a wrong return shape is an error — and the only one
    writeFileSync(join(consumer, 'bad.ts'), "import { svdProperties } from 'condlab/testing';\nsvdProperties(() => ({ sigma: [1] }));\n");
    const bad = await run(process.execPath, [tscBin, '-p', 'tsconfig.json'], consumer);
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).not.toMatch(/good\.ts/);
    expect(bad.stdout).toMatch(/bad\.ts.*sigma/s);
  });
});
