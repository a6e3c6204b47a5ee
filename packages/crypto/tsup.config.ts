import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/node.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  // Keep `node:crypto` as written in dist/node.js: a bare `crypto` could be silently replaced by
  // a browser polyfill in some bundlers.
  removeNodeProtocol: false,
});
