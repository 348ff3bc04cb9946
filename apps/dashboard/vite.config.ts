// The dashboard's build, dev server and Vitest run. Contracts come straight from their TypeScript
// sources (they import nothing but zod), so the browser validates with the server's own schemas.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// `vite` (dev) and `vite preview` forward /api, the live channel's WebSocket among it, to a gateway.
const gateway = process.env.DASHBOARD_GATEWAY_URL ?? 'http://127.0.0.1:8080';
const proxy = { '/api': { target: gateway, ws: true } };

export default defineConfig({
  root: here('.'),
  plugins: [react()],
  resolve: { alias: { '@streamcaster/contracts': here('../../libs/contracts/src/index.ts') } },
  build: {
    outDir: here('../../dist/apps/dashboard'),
    emptyOutDir: true,
    // tools/build.mjs reads it to check the first load's budget.
    manifest: true,
    sourcemap: true,
    target: 'es2023',
    // The budget that matters is the first load's gzipped size, which tools/build.mjs checks.
    chunkSizeWarningLimit: 800,
  },
  server: { proxy },
  preview: { proxy },
  test: {
    root: here('.'),
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test-setup.ts'],
    // The machine is shared: two files at a time are enough for these.
    maxWorkers: 2,
  },
});
