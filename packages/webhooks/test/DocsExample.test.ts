import { expect, layer } from "@effect/vitest"
import { testDatabaseLayer } from "@leadq/store/testing"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { appendEvent, insertEndpoint, startReceiver } from "../src/testing/index.js"
import { eventually, newOrg, runDispatcher } from "./support.js"

/**
 * The Node verification example of docs/webhooks.md ("Signatures"), taken from the document as
 * it is and run against a real delivery: it accepts the request with the endpoint's secret, and
 * refuses another secret, a changed body and a stale timestamp.
 */
const docs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "docs", "webhooks.md")

const loadExample = async () => {
  const text = fs.readFileSync(docs, "utf8")
  const section = text.slice(text.indexOf("## Signatures"))
  const code = /```js\n([\s\S]*?)```/.exec(section)?.[1]
  if (code === undefined) throw new Error("docs/webhooks.md: no ```js block under ## Signatures")
  expect(code.trim().split("\n").length).toBeLessThanOrEqual(12)
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "leadq-docs-")), "verify.mjs")
  fs.writeFileSync(file, code)
  return (await import(pathToFileURL(file).href)) as {
    verifyLeadqSignature: (rawBody: string | Buffer, header: string, secret: string, toleranceSeconds?: number) => boolean
  }
}

layer(testDatabaseLayer("sqlite"), { timeout: 60_000, excludeTestServices: true })("docs/webhooks.md", (it) => {
  it.scoped("the 10-line Node verification verifies a real delivery with its secret and refuses the rest", () =>
    Effect.gen(function*() {
      const { verifyLeadqSignature } = yield* Effect.promise(loadExample)
      const receiver = yield* startReceiver()
      const org = newOrg()
      const endpoint = yield* insertEndpoint({ organization_id: org, url: receiver.url("/docs") })
      yield* appendEvent(org, "lead.removed", { lead_id: "lead_docs", reason: "opt-out" })
      yield* runDispatcher()
      const [got] = yield* eventually(Effect.sync(() => receiver.received), (r) => r.length >= 1)
      expect(verifyLeadqSignature(got!.body, got!.signature, endpoint.secret)).toBe(true)
      expect(verifyLeadqSignature(Buffer.from(got!.body), got!.signature, endpoint.secret)).toBe(true)
      expect(verifyLeadqSignature(got!.body, got!.signature, "whsec_another")).toBe(false)
      expect(verifyLeadqSignature(got!.body.replace("opt-out", "opt-in"), got!.signature, endpoint.secret)).toBe(false)
      expect(verifyLeadqSignature(got!.body, got!.signature.replace(/^t=\d+/, "t=1000000000"), endpoint.secret)).toBe(false)
      expect(verifyLeadqSignature(got!.body, "v1=abc", endpoint.secret)).toBe(false)
    }))
})
