// condlab as a library user gets it: the package is built into a staging directory (so the repository's dist/ is
// never touched), packed with `npm pack`, and installed from the tarball into an empty project with
// `npm install --offline` (no network: the tarball plus condlab's runtime dependencies linked from this checkout). Then: the tarball's contents, the README's engine
// example in Node, a strict `tsc --noEmit` of a consumer file full of @ts-expect-error lines against the packed
// .d.ts, and a Vite build of a page running the same example in headless Chromium (κ bit-identical with Node).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM, HAVE_CHROMIUM, root, serve } from './helpers/web.js';

const tmp = mkdtempSync(join(tmpdir(), 'condlab-pkg-'));
const staging = join(tmp, 'condlab');
const app = join(tmp, 'app');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** npm run from inside `npm test` inherits npm_config_* (prefix, cache paths…) meant for the outer run. */
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
/** Asynchronous, so the vitest worker stays responsive while tsc, npm and node run. */
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = cleanEnv): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env, encoding: 'utf8', timeout: 300_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const status = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

interface PackInfo { filename: string; size: number; unpackedSize: number; files: { path: string; size: number }[] }
let pack: PackInfo;
let installed = false;
let installNote = '';

/** The ```ts block under "## The engine API", as a module exporting kappa. */
function readmeExample(): string {
  const section = readme.slice(readme.indexOf('## The engine API'));
  const m = /```ts\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error('README has no ts block under "## The engine API"');
  return `${m[1]}\nexport { kappa };\n`;
}

beforeAll(async () => {
  // 1. stage: package.json, README, LICENSE, the .wasm, bin, docs — npm pack applies `files` — and a fresh dist
  mkdirSync(staging);
  for (const f of ['package.json', 'README.md', 'LICENSE', 'bin', 'docs']) cpSync(join(root, f), join(staging, f), { recursive: true });
  mkdirSync(join(staging, 'build'));
  cpSync(join(root, 'build', 'condlab.wasm'), join(staging, 'build', 'condlab.wasm'));
  const built = await run(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', join(staging, 'dist')], root);
  expect(built.status, built.stdout + built.stderr).toBe(0);
  // 2. pack (scripts off: `prepare` would rebuild in the staging dir, which has no sources)
  const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], staging);
  expect(packed.status, packed.stderr).toBe(0);
  pack = JSON.parse(packed.stdout)[0];
  console.log(`npm pack: ${pack.files.length} files, ${(pack.size / 1024).toFixed(1)} kB packed, ${(pack.unpackedSize / 1024).toFixed(1)} kB unpacked`);
  // 3. an empty project installing the tarball from the local cache only
  mkdirSync(app);
  // condlab's runtime dependencies (used by the CLI and report, never by the engine entry) come from the
  // repository's own install as file: links, because the npm cache here need not hold their registry metadata
  const deps = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).dependencies as Record<string, string>;
  const links = Object.fromEntries(Object.keys(deps).map((d) => [d, `file:${join(root, 'node_modules', d)}`]));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: links }));
  const inst = await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', join(tmp, pack.filename)], app);
  installed = inst.status === 0 && existsSync(join(app, 'node_modules', 'condlab', 'dist', 'index.js'));
  if (!installed) {
    installNote = `npm install --offline of the tarball failed (dependencies not in the npm cache?): ${inst.stderr.trim().split('\n').slice(-3).join(' | ')}`;
    console.warn(`skipping the install-based consumer tests: ${installNote}`);
  }
  writeFileSync(join(app, 'example.js'), readmeExample());
}, 300_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the tarball', () => {
  it('holds dist (js + d.ts), the .wasm, README, LICENSE, the CLI and the images the README shows — and no sources or maps', () => {
    const paths = new Set(pack.files.map((f) => f.path));
    for (const p of ['package.json', 'README.md', 'LICENSE', 'build/condlab.wasm', 'dist/index.js', 'dist/index.d.ts', 'dist/engine/engine.d.ts', 'bin/condlab.js', 'dist/cli/main.js', 'dist/runner/worker.js']) {
      expect(paths.has(p), p).toBe(true);
    }
    const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]).filter((p) => !/^https?:/.test(p));
    expect(images.length).toBeGreaterThan(0);
    for (const img of images) expect(paths.has(img), `README image ${img}`).toBe(true);
    const links = [...readme.matchAll(/\]\((docs\/[^)#]+\.md)\)/g)].map((m) => m[1]);
    for (const l of links) expect(paths.has(l), `README link ${l}`).toBe(true);
    const unwanted = [...paths].filter((p) => /^(src|assembly|test|bench|web|paper-results)\//.test(p) || p.endsWith('.map') || p.endsWith('.ts') && !p.endsWith('.d.ts'));
    expect(unwanted).toEqual([]);
    expect(readFileSync(join(staging, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    expect(JSON.parse(readFileSync(join(staging, 'package.json'), 'utf8')).license).toBe('MIT');
  });

  it('the engine entry imports nothing outside the package (zod, Plot and linkedom stay off its path)', () => {
    // walk dist/index.js's static and dynamic imports; only relative files and node: builtins may appear
    const seen = new Set<string>();
    const external = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const src = readFileSync(file, 'utf8');
      for (const m of src.matchAll(/(?:from\s+|import\s*\(\s*(?:\/\*[^*]*\*\/\s*)?)['"]([^'"]+)['"]/g)) {
        const spec = m[1];
        if (spec.startsWith('.')) visit(join(file, '..', spec));
        else external.add(spec);
      }
    };
    visit(join(staging, 'dist', 'index.js'));
    expect(seen.size).toBeGreaterThan(3);
    expect([...external].filter((s) => !s.startsWith('node:'))).toEqual([]);
  });
});

describe('a consumer project', () => {
  it('runs the README engine example in Node from the installed tarball', async (ctx) => {
    if (!installed) return ctx.skip(installNote);
    const r = await run(process.execPath, ['--input-type=module', '-e', "const { kappa } = await import('./example.js'); console.log(JSON.stringify(kappa));"], app);
    expect(r.status, r.stderr).toBe(0);
    const kappa = JSON.parse(r.stdout.trim());
    expect(kappa).toBeGreaterThan(1);
    expect(Number.isFinite(kappa)).toBe(true);
    writeFileSync(join(app, 'kappa-node.txt'), r.stdout.trim());
  });

  it('require() fails with a clear Node error: the package is ESM only (README says so)', async (ctx) => {
    if (!installed) return ctx.skip(installNote);
    const r = await run(process.execPath, ['-e', "require('condlab')"], app);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/ERR_PACKAGE_PATH_NOT_EXPORTED|ERR_REQUIRE_ESM|require\(\) of ES Module/);
    expect(readme).toMatch(/ESM only/);
  });

  it('type-checks a strict consumer against the packed .d.ts; every @ts-expect-error is an error', async () => {
    // with no install the staged package stands in (same files npm pack selected, as a symlink)
    const dir = join(tmp, 'types');
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    symlinkSync(installed ? join(app, 'node_modules', 'condlab') : staging, join(dir, 'node_modules', 'condlab'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'types', private: true, type: 'module' }));
    for (const f of ['types.ts', 'tsconfig.json']) cpSync(join(root, 'test', 'consumer', f), join(dir, f));
    const r = await run(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], dir);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('builds with Vite and runs the same example in headless Chromium, κ bit-identical with Node', async (ctx) => {
    if (!installed) return ctx.skip(installNote);
    if (!HAVE_CHROMIUM) return ctx.skip(`no chromium at ${CHROMIUM}`);
    cpSync(join(root, 'test', 'consumer', 'example-page.html'), join(app, 'index.html'));
    writeFileSync(join(app, 'main.js'), "import { kappa } from './example.js';\nglobalThis.__kappa = JSON.stringify(kappa);\n");
    const { build } = await import('vite');
    const outDir = join(app, 'dist');
    await build({ root: app, configFile: false, logLevel: 'error', base: './', build: { outDir, emptyOutDir: true, target: 'es2022' } });
    const { server, url } = await serve(outDir);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(url);
      const kappa = await page.waitForFunction(() => (globalThis as { __kappa?: string }).__kappa, undefined, { timeout: 60_000 }).then((h) => h.jsonValue());
      expect(errors).toEqual([]);
      const nodeKappa = existsSync(join(app, 'kappa-node.txt')) ? readFileSync(join(app, 'kappa-node.txt'), 'utf8') : undefined;
      expect(nodeKappa, 'the Node consumer test runs first').toBeDefined();
      expect(kappa).toBe(nodeKappa);
    } finally {
      await browser.close();
      server.close();
    }
  }, 180_000);
});
