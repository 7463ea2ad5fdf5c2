// docs/testing.md's complete vitest example is test/docs-example.test.ts verbatim (only the import path differs:
// the doc imports 'condlab/testing', the repository test imports the sources), so the example that readers copy is
// the one `npm test` runs.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';

const read = (p: string) => readFileSync(new URL(`../${p}`, import.meta.url), 'utf8');

describe('docs/testing.md', () => {
  it('its example block is test/docs-example.test.ts', () => {
    const doc = read('docs/testing.md');
    const m = /<!-- example: test\/docs-example\.test\.ts -->\s*```ts\n([\s\S]*?)```/.exec(doc);
    expect(m, 'the marked ```ts block').not.toBeNull();
    const test = read('test/docs-example.test.ts').replace("from '../src/testing/index.js'", "from 'condlab/testing'");
    expect(m![1]).toBe(test);
  });
});
