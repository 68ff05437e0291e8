import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `spoor serve` serves dist/ at /; `npm run dev -w @spoor/web` serves the UI on loopback and passes /api to a running server.
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 600 },
  server: { host: '127.0.0.1', port: 5173, proxy: { '/api': 'http://127.0.0.1:4318', '/docs': 'http://127.0.0.1:4318' } },
});
