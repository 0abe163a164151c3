import { signBody } from "@leadq/telephony"
import { FastCheck as fc } from "effect"
import type { FuzzRequest } from "./FuzzRequest.js"
import type { JsonSchema, Operation, Parameter } from "./OpenApi.js"
import { arbitraryOf } from "./SchemaArbitrary.js"

/** The ids and keys the requests are made of: the organization's own, and another one's. */
export interface FuzzPools {
  readonly campaigns: ReadonlyArray<string>
  readonly leads: ReadonlyArray<string>
  readonly callLogs: ReadonlyArray<string>
  /** Ids of the other organization (any kind). */
  readonly foreign: ReadonlyArray<string>
  readonly apiKey: string
  /** A key of the same organization that was revoked. */
  readonly revokedKey: string
  readonly webhookSecret: string
}

const pickFrom = <A>(items: ReadonlyArray<A>, fallback: A): fc.Arbitrary<A> =>
  items.length === 0 ? fc.constant(fallback) : fc.constantFrom(...items)

/** Path segments: right ids, wrong kinds, another organization's, and broken encodings. */
const segmentArb = (own: ReadonlyArray<string>, pools: FuzzPools): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 6, arbitrary: pickFrom(own, "cmp_none") },
    { weight: 2, arbitrary: pickFrom([...pools.campaigns, ...pools.leads, ...pools.callLogs], "lead_none") },
    { weight: 2, arbitrary: pickFrom(pools.foreign, "cmp_foreign") },
    { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/) },
    { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }).map(encodeURIComponent) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        "%FF", "%", "%zz", "%00", "%C0%AF", "..", "%2e%2e", "a%2Fb", "lead_%0D%0Ax", "%E2%80%AE", "'%20OR%201=1--",
        "$%7Bjndi:x%7D", "null", "undefined", "0", "-1", "1e309", "NaN", "lead_" + "x".repeat(300), "x".repeat(5000)
      )
    },
    { weight: 1, arbitrary: fc.constant("") }
  )

const queryValueArb = (p: Parameter, resolve: (s: JsonSchema) => JsonSchema, pools: FuzzPools): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: arbitraryOf(p.schema, resolve).map((v) => encodeURIComponent(typeof v === "string" ? v : JSON.stringify(v))) },
    { weight: 2, arbitrary: pickFrom([...pools.campaigns, ...pools.leads, ...pools.foreign], "x") },
    {
      weight: 2,
      arbitrary: fc.constantFrom("0", "-1", "1.5", "1e3", "1e309", "NaN", "Infinity", "0x10", " 1", "99999999999999999999", "", "true", "%FF", "%", "2026-13-45", "2026-02-30T25:61:00Z")
    },
    { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 30 }).map(encodeURIComponent) },
    { weight: 1, arbitrary: fc.nat({ max: 10_000 }).map(String) }
  )

const queryArb = (op: Operation, resolve: (s: JsonSchema) => JsonSchema, pools: FuzzPools): fc.Arbitrary<string> => {
  const declared = op.parameters.filter((p) => p.in === "query")
  const declaredPairs = declared.map((p) =>
    fc.option(
      fc.tuple(queryValueArb(p, resolve, pools), fc.boolean()).map(([v, twice]) => (twice ? `${p.name}=${v}&${p.name}=${v}x` : `${p.name}=${v}`)),
      { nil: undefined, freq: 2 }
    )
  )
  const unknown = fc.array(
    fc.tuple(fc.stringMatching(/^[a-z_[\]]{1,12}$/), fc.string({ maxLength: 10 })).map(([k, v]) => `${k}=${encodeURIComponent(v)}`),
    { maxLength: 2 }
  )
  return fc.tuple(fc.tuple(...declaredPairs), unknown).map(([pairs, extra]) => {
    const all = [...pairs.filter((x): x is string => x !== undefined), ...extra]
    return all.length === 0 ? "" : `?${all.join("&")}`
  })
}

const authArb = (pools: FuzzPools): fc.Arbitrary<string | undefined> =>
  fc.oneof(
    { weight: 14, arbitrary: fc.constant(`Bearer ${pools.apiKey}`) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        "Bearer ",
        "Bearer",
        `bearer ${pools.apiKey}`,
        `Basic ${Buffer.from("user:pass").toString("base64")}`,
        `Bearer ${pools.revokedKey}`,
        `Bearer ${pools.apiKey.slice(0, -1)}${pools.apiKey.endsWith("0") ? "1" : "0"}`,
        `Bearer ${pools.apiKey} extra`,
        "Bearer lq_",
        "Bearer lq__",
        `Bearer lq_${"a".repeat(70)}_x`,
        `Bearer ${"x".repeat(8_000)}`
      )
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }).filter((s) => /^[\x20-\x7e]*$/.test(s)).map((s) => `Bearer ${s}`) }
  )

const phoneArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 2_000_000_000, max: 9_999_999_999 }).map((n) => `+1${n}`) },
  { weight: 2, arbitrary: fc.constantFrom("", "123", "+0000", "not a number", "+1 (415) 555-0100", "=cmd|' /C calc'!A0", "\"+14155550100\"", "+١٢٣٤٥٦٧٨٩٠") },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) }
)

const INVALID_JSON = [
  "{", "}", "[", "{\"name\": }", "{'name': 'x'}", "{\"name\": \"x\",}", "NaN", "undefined", "{\"a\":1}{\"b\":2}", "\uFEFF{}", "nul", "\"unterminated",
  "{\"name\": \"\\ud800\"}", "{\"name\": \"\\u0000\"}", "{\"__proto__\": {\"admin\": true}}", "{\"constructor\": {\"prototype\": {}}}", "1", "\"text\"", "null", "[]", "true"
]

/** A JSON body: nearly valid (the schema's values, then one thing broken), random, or not JSON at all. */
const jsonBodyArb = (
  schema: JsonSchema,
  resolve: (s: JsonSchema) => JsonSchema,
  maxJsonBytes: number,
  pools: FuzzPools
): fc.Arbitrary<Buffer | undefined> => {
  // Mostly an id that exists (so the request gets past the lookup), sometimes anything.
  const campaignId = fc.oneof({ weight: 3, arbitrary: pickFrom(pools.campaigns, "cmp_none") }, { weight: 1, arbitrary: pickFrom(pools.foreign, "cmp_none") })
  const valid = arbitraryOf(schema, resolve, 0, { campaignId, phoneNumber: phoneArb }) as fc.Arbitrary<unknown>
  const broken = fc.tuple(valid, fc.nat({ max: 5 }), fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 })).map(([v, how, key, value]) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return value
    const o = { ...(v as Record<string, unknown>) }
    const keys = Object.keys(o)
    const k = keys.length > 0 ? keys[key.length % keys.length]! : "name"
    switch (how) {
      case 0:
        delete o[k]
        break
      case 1:
        o[k] = value
        break
      case 2:
        o[key === "" ? "unexpected" : key] = value
        break
      case 3:
        o[k] = "x".repeat(100_000)
        break
      case 4:
        o[k] = typeof o[k] === "number" ? -(o[k] as number) - 1 : 1e308
        break
      default:
        o[k] = "\u0000\u202e\ud83d\ude00 ' \" \\ <script>"
    }
    return o
  })
  return fc.oneof(
    { weight: 6, arbitrary: valid.map((v) => Buffer.from(JSON.stringify(v))) },
    { weight: 8, arbitrary: broken.map((v) => Buffer.from(JSON.stringify(v) ?? "null")) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(JSON.stringify(v) ?? "null")) },
    { weight: 2, arbitrary: fc.constantFrom(...INVALID_JSON).map((s) => Buffer.from(s)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)) },
    { weight: 1, arbitrary: fc.constant(Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d])) },
    { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
    { weight: 1, arbitrary: fc.constantFrom(20_000, 200_000).map((n) => Buffer.from("[".repeat(n) + "]".repeat(n))) },
    { weight: 1, arbitrary: fc.constant(Buffer.from(JSON.stringify({ name: "x".repeat(maxJsonBytes + 10) }))) },
    { weight: 1, arbitrary: fc.constant(undefined) }
  )
}

const csvArb = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.tuple(
      fc.array(fc.stringMatching(/^[a-z_]{1,10}$/), { maxLength: 17 }),
      fc.array(fc.tuple(phoneArb, fc.array(fc.string({ maxLength: 12 }), { maxLength: 17 })), { maxLength: 30 }),
      fc.boolean(),
      fc.boolean()
    ).map(([extra, rows, crlf, bom]) => {
      const nl = crlf ? "\r\n" : "\n"
      const header = ["phone_number", ...extra].join(",")
      const lines = rows.map(([phone, cells]) => [phone, ...cells.map((c) => (/[,"\n\r]/.test(c) ? `"${c.replace(/"/g, "\"\"")}"` : c))].join(","))
      return Buffer.from((bom ? "\uFEFF" : "") + [header, ...lines].join(nl) + nl)
    })
  },
  { weight: 1, arbitrary: fc.constantFrom("name\nAlice\n", "", "\n\n", "phone_number\n\"unterminated\n", "phone_number,phone_number\n+14155550100,+14155550101\n").map((s) => Buffer.from(s)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)) }
)

/** A multipart body around a CSV: right, or with its framing broken in one way. */
const multipartArb = fc.tuple(csvArb, fc.nat({ max: 9 }), fc.stringMatching(/^[A-Za-z0-9]{8,30}$/)).map(([csv, how, boundary]) => {
  const part = (name: string, filename: string | undefined, content: Buffer) =>
    Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"${filename === undefined ? "" : `; filename="${filename}"`}\r\nContent-Type: text/csv\r\n\r\n`),
      content,
      Buffer.from("\r\n")
    ])
  const end = Buffer.from(`--${boundary}--\r\n`)
  let body: Buffer
  let contentType = `multipart/form-data; boundary=${boundary}`
  switch (how) {
    case 0:
      body = Buffer.concat([part("files", "leads.csv", csv), end])
      break
    case 1:
      body = Buffer.concat([part("file", "a.csv", csv), part("file", "b.csv", csv), end])
      break
    case 2:
      body = Buffer.concat([part("file", "leads.csv", csv)])
      break
    case 3:
      contentType = "multipart/form-data"
      body = Buffer.concat([part("file", "leads.csv", csv), end])
      break
    case 4:
      body = Buffer.concat([part("file", undefined, csv), end])
      break
    case 5:
      body = csv
      break
    default:
      body = Buffer.concat([part("file", "leads.csv", csv), end])
  }
  return { body, contentType }
})

const contentTypeArb = (right: string): fc.Arbitrary<string | undefined> =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constant(right) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        "text/plain", "application/json; charset=utf-16", "application/json; charset=latin1", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x", "application/xml", "APPLICATION/JSON", "application/merge-patch+json", "*/*", "application", ";;;"
      )
    }
  )

const extraHeadersArb = fc.record(
  {
    "x-request-id": fc.oneof(fc.stringMatching(/^[A-Za-z0-9._:-]{1,20}$/), fc.constant("x".repeat(500)), fc.constant("../../etc/passwd"), fc.constant("a b c")),
    accept: fc.constantFrom("application/json", "text/html", "*/*", "application/xml", ""),
    "accept-encoding": fc.constantFrom("gzip", "br", "identity", "x-unknown"),
    "content-encoding": fc.constantFrom("gzip", "deflate", "x-unknown"),
    "if-none-match": fc.constantFrom("*", "\"abc\"", "W/\"x\"", "garbage"),
    "x-forwarded-for": fc.constantFrom("10.0.0.1", "::1", "garbage"),
    // A small pool, so that keys meet again: a replay, a 422 for another request under a used key,
    // a 409 while one runs; and keys that are not keys (400).
    "idempotency-key": fc.constantFrom("fuzz-key-1", "fuzz-key-2", "fuzz-key-3", "", " padded ", "x".repeat(256), "tab\tkey")
  },
  { requiredKeys: [] }
)

/** Requests for one operation of the OpenAPI document. */
export const requestArb = (
  op: Operation,
  resolve: (s: JsonSchema) => JsonSchema,
  pools: FuzzPools,
  maxJsonBytes: number
): fc.Arbitrary<FuzzRequest> => {
  const pathParams = op.parameters.filter((p) => p.in === "path")
  const ownFor = (p: Parameter): ReadonlyArray<string> =>
    p.name === "campaignId" || op.path.startsWith("/v1/campaigns/")
      ? pools.campaigns
      : op.path.startsWith("/v1/campaigns-leads/")
      ? pools.leads
      : op.path.startsWith("/v1/call-logs/")
      ? pools.callLogs
      : [...pools.campaigns, ...pools.leads]
  const segments = fc.tuple(...pathParams.map((p) => segmentArb(ownFor(p), pools)))
  const body: fc.Arbitrary<{ readonly body?: Buffer | undefined; readonly contentType?: string | undefined }> = op.body.kind === "json"
    ? fc.tuple(jsonBodyArb(op.body.schema, resolve, maxJsonBytes, pools), contentTypeArb("application/json")).map(([b, ct]) => ({ body: b, contentType: ct }))
    : op.body.kind === "multipart"
    ? fc.tuple(multipartArb, fc.boolean()).map(([m, keep]) => ({ body: m.body, contentType: keep ? m.contentType : "application/json" }))
    : fc.oneof(
      { weight: 8, arbitrary: fc.constant({}) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => ({ body: Buffer.from(JSON.stringify(v) ?? "null"), contentType: "application/json" })) }
    )
  const webhook = op.path.includes("/webhooks/")
  return fc.record({
    segments,
    query: queryArb(op, resolve, pools),
    auth: op.secured ? authArb(pools) : fc.option(authArb(pools), { nil: undefined, freq: 4 }),
    body,
    extra: extraHeadersArb,
    chunked: fc.boolean().map((b) => b && op.body.kind !== "none"),
    signature: fc.nat({ max: 5 })
  }).map((r): FuzzRequest => {
    let i = 0
    const path = op.path.replace(/\{[^}]+\}/g, () => r.segments[i++] ?? "") + r.query
    const headers: Record<string, string> = { ...r.extra }
    if (r.auth !== undefined) headers["authorization"] = r.auth
    if (r.body.contentType !== undefined) headers["content-type"] = r.body.contentType
    if (webhook && r.body.body !== undefined) {
      const raw = r.body.body
      switch (r.signature) {
        case 0:
          break
        case 1:
          headers["x-signature"] = `sha256=${"0".repeat(64)}`
          break
        case 2:
          headers["x-signature"] = `sha1=${signBody(pools.webhookSecret, raw).replace(/^sha256=/, "")}`
          break
        case 3:
          headers["x-signature"] = "garbage"
          break
        default:
          headers["x-signature"] = signBody(pools.webhookSecret, raw)
      }
    }
    return { operation: op.id, method: op.method, path, headers, body: r.body.body, chunked: r.chunked }
  })
}

/** A known path with a method it does not have (or HEAD/OPTIONS): 404/405 in the envelope. */
export const methodConfusionArb = (ops: ReadonlyArray<Operation>, pools: FuzzPools): fc.Arbitrary<FuzzRequest> =>
  fc.tuple(fc.constantFrom(...ops), fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND", "HEAD")).map(([op, method]) => ({
    operation: "method-confusion",
    method,
    path: op.path.replace(/\{[^}]+\}/g, () => pools.leads[0] ?? "x"),
    headers: { authorization: `Bearer ${pools.apiKey}` }
  }))
