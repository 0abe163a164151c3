/**
 * The part of the OpenAPI document the fuzzer reads: every operation with its parameters and the
 * kind and schema of its body, `$ref`s resolved against the document's components.
 */
export type JsonSchema = Readonly<Record<string, unknown>>

export interface OpenApiDocument {
  readonly paths: Readonly<Record<string, Readonly<Record<string, OperationObject>>>>
  readonly components?: { readonly schemas?: Readonly<Record<string, JsonSchema>> }
}

interface OperationObject {
  readonly operationId?: string
  readonly parameters?: ReadonlyArray<{ readonly name: string; readonly in: string; readonly required?: boolean; readonly schema?: JsonSchema }>
  readonly requestBody?: { readonly content?: Readonly<Record<string, { readonly schema?: JsonSchema }>> }
  readonly security?: ReadonlyArray<Readonly<Record<string, unknown>>>
}

export interface Parameter {
  readonly name: string
  readonly in: "path" | "query" | "header"
  readonly required: boolean
  readonly schema: JsonSchema
}

export interface Operation {
  /** e.g. `leads.remove` */
  readonly id: string
  readonly method: string
  /** The path template, e.g. `/v1/campaigns-leads/{id}`. */
  readonly path: string
  readonly parameters: ReadonlyArray<Parameter>
  readonly body: { readonly kind: "none" } | { readonly kind: "json" | "multipart"; readonly schema: JsonSchema }
  readonly secured: boolean
}

export const resolver = (doc: OpenApiDocument) => {
  const resolve = (schema: JsonSchema | undefined, depth = 0): JsonSchema => {
    if (schema === undefined) return {}
    const ref = schema["$ref"]
    if (typeof ref === "string" && depth < 20) {
      const name = ref.replace("#/components/schemas/", "")
      const { $ref: _ref, ...rest } = schema
      return { ...resolve(doc.components?.schemas?.[name], depth + 1), ...rest }
    }
    return schema
  }
  return resolve
}

export const operationsOf = (doc: OpenApiDocument): ReadonlyArray<Operation> => {
  const resolve = resolver(doc)
  const out: Array<Operation> = []
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const content = op.requestBody?.content ?? {}
      const body: Operation["body"] = content["application/json"] !== undefined
        ? { kind: "json", schema: resolve(content["application/json"].schema) }
        : content["multipart/form-data"] !== undefined
        ? { kind: "multipart", schema: resolve(content["multipart/form-data"].schema) }
        : { kind: "none" }
      out.push({
        id: op.operationId ?? `${method} ${path}`,
        method: method.toUpperCase(),
        path,
        parameters: (op.parameters ?? []).map((p) => ({
          name: p.name,
          in: p.in as Parameter["in"],
          required: p.required === true,
          schema: resolve(p.schema)
        })),
        body,
        secured: (op.security ?? []).some((s) => Object.keys(s).length > 0)
      })
    }
  }
  return out
}
