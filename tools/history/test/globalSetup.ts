import { execFileSync } from "node:child_process"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/** The race runs start the built worker (`node apps/worker/dist/main.js`): build it first (incremental). */
export default function setup() {
  const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..")
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")
  execFileSync(process.execPath, [tsc, "-b", path.join(root, "apps", "worker", "tsconfig.lib.json")], { stdio: "inherit" })
}
