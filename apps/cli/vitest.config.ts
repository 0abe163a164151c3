import { mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.js"

export default mergeConfig(shared, {
  test: {
    // The suite runs the built `leadq` binary: build it first.
    globalSetup: ["./test/globalSetup.ts"],
    // A test here runs the binary ten times or more, each a fresh Node process; in `pnpm test`
    // the CLI files run beside the worker and chaos suites on 2 cores, where one run can take
    // several seconds. A bound, not a speed check (speed lives in tools/bench).
    testTimeout: 240_000
  }
})
