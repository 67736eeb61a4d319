import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The explorer page: src/web/client → dist/web/client (index.html + hashed assets, wasm included). */
export default defineConfig({
  root: fileURLToPath(new URL('./src/web/client/', import.meta.url)),
  base: '/',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('./dist/web/client/', import.meta.url)),
    emptyOutDir: true,
    assetsInlineLimit: 0,
    // tfjs with its webgl, wasm and cpu backends is one large chunk, loaded once from localhost.
    chunkSizeWarningLimit: 4096,
  },
});
