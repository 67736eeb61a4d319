import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const SRC = fileURLToPath(new URL('./src/', import.meta.url));

/**
 * The page bundles the library's own model code (src/models, nn, distributions, …). A Node-only import
 * there would break it in the browser, so the build stops and names the file instead.
 */
function noNodeImportsFromSrc(): Plugin {
  return {
    name: 'vaekit:no-node-imports-from-src',
    enforce: 'pre',
    resolveId(id, importer) {
      if (importer?.startsWith(SRC) && id.startsWith('node:')) {
        throw new Error(
          `${importer} imports ${id}: the explorer page bundles this file and runs it in the browser`,
        );
      }
      return null;
    },
  };
}

/** The explorer page: src/web/client → dist/web/client (index.html + hashed assets, wasm included). */
export default defineConfig({
  root: fileURLToPath(new URL('./src/web/client/', import.meta.url)),
  base: '/',
  publicDir: false,
  logLevel: 'warn',
  plugins: [noNodeImportsFromSrc()],
  build: {
    outDir: fileURLToPath(new URL('./dist/web/client/', import.meta.url)),
    emptyOutDir: true,
    assetsInlineLimit: 0,
    // tfjs with its webgl, wasm and cpu backends is one large chunk, loaded once from localhost.
    chunkSizeWarningLimit: 4096,
  },
});
