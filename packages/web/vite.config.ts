import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `spoor serve` serves dist/ at /; `npm run dev -w @spoor/web` proxies the API to a running server.
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 600 },
  server: { proxy: { '/api': 'http://127.0.0.1:4318' } },
});
