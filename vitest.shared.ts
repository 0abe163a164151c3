import { defineConfig } from "vitest/config"

// Tests run against the TypeScript sources of sibling packages (the "@leadq/source" export
// condition), so a change in one package is seen by the others' tests without a build.
export default defineConfig({
  resolve: { conditions: ["@leadq/source"] },
  ssr: { resolve: { conditions: ["@leadq/source"] } },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000
  }
})
