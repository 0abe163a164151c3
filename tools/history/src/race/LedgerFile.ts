import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

/**
 * An empty ledger file for the simulated carrier of a run, in a temporary folder removed when
 * the scope closes.
 */
export const scopedLedgerFile = (prefix: string) =>
  Effect.map(
    Effect.acquireRelease(
      Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), prefix))),
      (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
    ),
    (dir) => {
      const ledgerPath = path.join(dir, "ledger.jsonl")
      fs.writeFileSync(ledgerPath, "")
      return ledgerPath
    }
  )
