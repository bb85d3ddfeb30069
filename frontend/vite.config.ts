/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const backend = process.env.BACKEND_URL ?? "http://localhost:50505";
const proxied = [
  "/chat",
  "/ask",
  "/config",
  "/content",
  "/healthz",
  "/auth_setup",
  "/upload",
  "/list_uploaded",
  "/delete_uploaded",
  "/feedback",
];

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "../app/static",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    // The whole first load is budgeted at 250 kB gzipped; warn well before the raw size gets there.
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: {
      ...Object.fromEntries(proxied.map((path) => [path, { target: backend, changeOrigin: true }])),
      // The login callback is the SPA's own page: serve this dev server's index.html, never the
      // backend's (built) copy. The identity provider must list http://localhost:5173/redirect.
      "/redirect": { target: backend, bypass: () => "/index.html" },
    },
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    css: { modules: { classNameStrategy: "non-scoped" } },
    restoreMocks: true,
  },
});
