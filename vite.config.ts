import { defineConfig } from 'vite';

// One build serves two origins: app://lifeline/ in Electron and http://127.0.0.1:PORT/ on the web host,
// so every URL in the output is relative (`base: './'`). Both serve it under `default-src 'self'` with no
// 'unsafe-inline', so nothing may end up inline in index.html.
export default defineConfig({
  root: 'renderer',
  base: './',
  publicDir: false,
  // No @vitejs/plugin-react here on purpose: the automatic JSX runtime is all the renderer needs.
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // The polyfill would be injected as an inline script; Chromium (Electron and the web page) needs none.
    modulePreload: { polyfill: false },
    // Icons are referenced from index.html; inlining them as data: URLs would hide them from the app:// handler's cache.
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    chunkSizeWarningLimit: 1024,
  },
  server: { strictPort: false },
});
