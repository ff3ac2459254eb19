import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start real servers (Prometheus, Chromium); two cores in CI.
    maxWorkers: 2,
    reporters: process.env.CI ? ["default"] : ["default"],
  },
});
