import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { join, normalize, resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

// Non-default folders (ARCHITECTURE.md): main and preload take their entry through
// rollupOptions.input, the renderer through its root.
export default defineConfig({
  main: {
    plugins: [
      {
        // The `lnurl` package loads its Lightning backend by file path (a plain CommonJS file),
        // so it ships beside the built main as is (electron/lnurl-withdraw/server.ts backendPath).
        name: 'lnurl-withdraw-backend',
        generateBundle() {
          this.emitFile({
            type: 'asset',
            fileName: 'lnurl-withdraw-backend.cjs',
            source: readFileSync(
              resolve(import.meta.dirname, 'electron/lnurl-withdraw/lnurl-withdraw-backend.cjs'),
              'utf8',
            ),
          });
        },
      },
    ],
    build: {
      rollupOptions: {
        input: {
          index: resolve(import.meta.dirname, 'electron/main/index.ts'),
          // The Bolt Card reader's process, beside index.js (electron/bolt-card/reader.ts).
          'card-reader': resolve(import.meta.dirname, 'electron/bolt-card/reader-process.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'electron/preload/index.ts') },
        // A sandboxed preload cannot be an ES module.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'renderer'),
    plugins: [
      react(),
      {
        // In `electron-vite dev` the window loads from Vite, so Vite serves the catalog images
        // that the app:// protocol and the web host serve in a build.
        name: 'catalog-images',
        configureServer(server) {
          const root = resolve(import.meta.dirname, 'resources/images');
          server.middlewares.use('/catalog-images', (req, res, next) => {
            const file = normalize(join(root, decodeURIComponent((req.url ?? '').split('?')[0] ?? '')));
            if (!file.startsWith(root) || !existsSync(file)) return next();
            res.setHeader(
              'content-type',
              file.endsWith('.svg') ? 'image/svg+xml' : 'application/octet-stream',
            );
            createReadStream(file).pipe(res);
          });
        },
      },
    ],
    build: {
      rollupOptions: { input: resolve(import.meta.dirname, 'renderer/index.html') },
    },
  },
});
