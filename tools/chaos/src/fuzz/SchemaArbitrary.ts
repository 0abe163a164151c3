import { FastCheck as fc } from "effect"
import type { JsonSchema } from "./OpenApi.js"

/**
 * Values that follow a JSON schema of the OpenAPI document (`type`, `enum`, `pattern`, bounds,
 * `anyOf`, `allOf`, required and optional properties): the "nearly right" requests, which reach
 * deeper into the handlers than random bytes do. The fuzzer then breaks them in one place.
 */
export const arbitraryOf = (
  schema: JsonSchema,
  resolve: (s: JsonSchema) => JsonSchema,
  depth = 0,
  /** Properties (by name, at any depth) drawn from these instead: ids that exist, for instance. */
  overrides: Readonly<Record<string, fc.Arbitrary<unknown>>> = {}
): fc.Arbitrary<unknown> => {
  const s = resolve(schema)
  if (depth > 6) return fc.constant(null)
  if (Array.isArray(s["enum"])) return fc.constantFrom(...(s["enum"] as Array<unknown>))
  if (Array.isArray(s["anyOf"])) return fc.oneof(...(s["anyOf"] as Array<JsonSchema>).map((x) => arbitraryOf(x, resolve, depth + 1, overrides)))
  if (Array.isArray(s["allOf"])) {
    const merged = (s["allOf"] as Array<JsonSchema>).reduce<JsonSchema>((acc, x) => ({ ...acc, ...resolve(x) }), {})
    const { allOf: _a, ...rest } = s
    return arbitraryOf({ ...merged, ...rest }, resolve, depth + 1, overrides)
  }
  switch (s["type"]) {
    case "string": {
      if (typeof s["pattern"] === "string" && s["pattern"] !== "") {
        return fc.stringMatching(new RegExp(s["pattern"] as string)).filter((x) => x.length <= 200)
      }
      const max = typeof s["maxLength"] === "number" ? (s["maxLength"] as number) : 40
      return fc.string({ minLength: typeof s["minLength"] === "number" ? (s["minLength"] as number) : 0, maxLength: Math.min(max, 60) })
    }
    case "integer":
      return fc.integer({
        min: typeof s["minimum"] === "number" ? (s["minimum"] as number) : -1_000,
        max: typeof s["maximum"] === "number" ? (s["maximum"] as number) : 1_000_000
      })
    case "number":
      return fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 })
    case "boolean":
      return fc.boolean()
    case "null":
      return fc.constant(null)
    case "array":
      return fc.array(arbitraryOf((s["items"] as JsonSchema) ?? {}, resolve, depth + 1, overrides), {
        minLength: typeof s["minItems"] === "number" ? (s["minItems"] as number) : 0,
        maxLength: Math.min(typeof s["maxItems"] === "number" ? (s["maxItems"] as number) : 4, 4)
      })
    case "object": {
      const properties = (s["properties"] ?? {}) as Record<string, JsonSchema>
      const required = new Set((s["required"] ?? []) as Array<string>)
      const entries = Object.entries(properties)
      if (entries.length === 0) {
        // A free-form object (notes): a few string / number / boolean values.
        return fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean()), { maxKeys: 4 })
      }
      return fc.record(
        Object.fromEntries(entries.map(([k, v]) => [k, overrides[k] ?? arbitraryOf(v, resolve, depth + 1, overrides)])),
        { requiredKeys: entries.map(([k]) => k).filter((k) => required.has(k)) }
      )
    }
    default:
      return fc.jsonValue({ maxDepth: 2 })
  }
}
