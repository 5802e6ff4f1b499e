import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: [
      { find: /^duro\/client$/, replacement: fileURLToPath(new URL("./src/client/index.ts", import.meta.url)) },
      { find: /^duro\/ai$/, replacement: fileURLToPath(new URL("./src/ai/index.ts", import.meta.url)) },
      { find: /^duro\/http$/, replacement: fileURLToPath(new URL("./src/http/index.ts", import.meta.url)) },
      { find: /^duro\/testing$/, replacement: fileURLToPath(new URL("./src/testing/index.ts", import.meta.url)) },
      { find: /^duro$/, replacement: fileURLToPath(new URL("./src/index.ts", import.meta.url)) },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    // Gives the suite a PostgreSQL server (DURO_TEST_PG, the local one, or a throwaway embedded one).
    globalSetup: ["test/support/global-postgres.ts"],
    testTimeout: 30_000,
    pool: "forks",
  },
});
