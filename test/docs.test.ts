// The API reference (`npm run docs`, TypeDoc over the package entry) builds without a warning: typedoc.json makes
// "not documented", broken {@link}s and referenced-but-unexported types errors, so every exported function, class,
// method and type of the engine has a doc comment — checked here without writing the HTML.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { root } from './helpers/web.js';

it('TypeDoc validates the public API: everything exported is documented', async () => {
  const out = await new Promise<{ code: number; text: string }>((resolve) =>
    execFile(process.execPath, [join(root, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--emit', 'none'], { cwd: root, encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? 1 : 0, text: stdout + stderr }),
    ),
  );
  expect(out.text).not.toMatch(/warning|error\]/);
  expect(out.code, out.text).toBe(0);
}, 120_000);
