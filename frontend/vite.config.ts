/// <reference types="vitest/config" />
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

/** Swagger UI's two files into the build's `docs/`, which the backend serves for `/docs`: the
 * API page then loads nothing from a CDN and works on an offline machine. */
function swaggerUi(): Plugin {
  return {
    name: "swagger-ui-assets",
    apply: "build",
    writeBundle(options) {
      const dist = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
      const target = join(options.dir ?? "../app/static", "docs");
      mkdirSync(target, { recursive: true });
      for (const file of ["swagger-ui-bundle.js", "swagger-ui.css"]) {
        copyFileSync(join(dist, file), join(target, file));
      }
    },
  };
}

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
  "/speech",
];

export default defineConfig({
  plugins: [react(), swaggerUi()],
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
