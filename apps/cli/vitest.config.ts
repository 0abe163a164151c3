import { mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.js"

export default mergeConfig(shared, {
  test: {
    // The suite runs the built `leadq` binary: build it first.
    globalSetup: ["./test/globalSetup.ts"]
  }
})
