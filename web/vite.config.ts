import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const webDir = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('./dist', import.meta.url));

/** The API (api/) listens here in development; the dev server forwards to it. */
const apiOrigin = 'http://localhost:3000';

export default defineConfig({
  root: webDir,
  plugins: [vue()],
  build: {
    outDir,
    emptyOutDir: true,
  },
  server: {
    proxy: {
      '/graphql': { target: apiOrigin, ws: true },
      '/lti': { target: apiOrigin },
      '/healthz': { target: apiOrigin },
    },
  },
});
