import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests run against package sources, not dist/: each `@r1/<name>` import maps to packages/<name>/src/index.ts,
// the same mapping tsconfig.json's `paths` gives the type checker. Builds are only needed for publishing and bins.
const root = fileURLToPath(new URL('.', import.meta.url));
// Exact matches, so a subpath entry (`@r1/rewards/testing`) is not rewritten to `…/src/index.ts/testing`.
const alias = [
  { find: /^@r1\/rewards\/testing$/, replacement: `${root}packages/rewards/src/testing/index.ts` },
  ...readdirSync(`${root}packages`).map((name) => ({
    find: new RegExp(`^@r1/${name}$`),
    replacement: `${root}packages/${name}/src/index.ts`,
  })),
];

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'scripts/**/*.test.ts'],
    pool: 'forks',
    // fast-check: random inputs locally, one fixed seed under CI (see the file).
    setupFiles: ['scripts/vitest-setup.ts'],
    // CI keeps a machine-readable record so .ci/run can print the plain closing line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.vitest-results.json' }]] : ['default'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
