import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

// Tests import sibling packages by their public name; resolve those to source so the suite runs
// without a build, while the boundary (public entry only) stays the one users see.
const alias = [
  { find: /^@p2pe\/crypto\/node$/, replacement: `${root}packages/crypto/src/node.ts` },
  { find: /^@p2pe\/test-vectors$/, replacement: `${root}test-vectors/src/index.ts` },
  { find: /^@p2pe\/([a-z-]+)$/, replacement: `${root}packages/$1/src/index.ts` },
];

// One vitest project per package, so `vitest --project crypto` runs one layer.
const packages = readdirSync(`${root}packages`, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => ({ name: entry.name, dir: `packages/${entry.name}` }));
const projects = [...packages, { name: 'test-vectors', dir: 'test-vectors' }].map(
  ({ name, dir }) => ({
    extends: true as const,
    test: { name, root: `${root}${dir}`, include: ['test/**/*.test.ts'] },
  }),
);

export default defineConfig({
  resolve: { alias },
  test: {
    projects,
    testTimeout: 30_000,
    reporters: process.env.CI
      ? ['default', ['json', { outputFile: '.vitest-report.json' }]]
      : ['default'],
  },
});
