import * as HttpApi from "@effect/platform/HttpApi"

/**
 * What the gateway knows about its routes before the router runs: the route pattern a path
 * belongs to (the `route` label of the metrics), the methods it takes (405 with `Allow` rather
 * than a bare 404), and the body each endpoint expects (415 and 413 before a byte is parsed).
 */
export type BodyKind = "none" | "json" | "multipart" | "raw-json"

export interface RouteEntry {
  readonly pattern: string
  readonly methods: ReadonlyMap<string, BodyKind>
}

interface Compiled extends RouteEntry {
  readonly regex: RegExp
  readonly params: number
}

const compile = (pattern: string, methods: ReadonlyMap<string, BodyKind>): Compiled => ({
  pattern,
  methods,
  params: (pattern.match(/:/g) ?? []).length,
  regex: new RegExp("^" + pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/:\w+/g, "[^/]+") + "/?$")
})

export interface RouteTable {
  /** The entry a path belongs to; static segments win over parameters, as in the router. */
  readonly match: (pathname: string) => RouteEntry | undefined
}

export const makeRouteTable = (
  api: HttpApi.HttpApi.Any,
  extra: ReadonlyArray<{ readonly method: string; readonly path: string; readonly body?: BodyKind }>,
  rawJsonEndpoints: ReadonlySet<string>
): RouteTable => {
  const byPattern = new Map<string, Map<string, BodyKind>>()
  const add = (method: string, path: string, body: BodyKind) => {
    let methods = byPattern.get(path)
    if (methods === undefined) byPattern.set(path, methods = new Map())
    methods.set(method, body)
    // The router answers HEAD on GET routes.
    if (method === "GET") methods.set("HEAD", "none")
  }
  HttpApi.reflect(api as HttpApi.HttpApi.AnyWithProps, {
    onGroup: () => {},
    onEndpoint: ({ endpoint, payloads }) => {
      const e = endpoint
      let body: BodyKind = "none"
      if (rawJsonEndpoints.has(`${e.method} ${e.path}`)) body = "raw-json"
      else if (payloads.has("multipart/form-data")) body = "multipart"
      else if ([...payloads.values()].some((p) => p.encoding.kind === "Json") && e.method !== "GET") body = "json"
      add(e.method, e.path, body)
    }
  })
  for (const r of extra) add(r.method, r.path, r.body ?? "none")
  const compiled = [...byPattern].map(([p, m]) => compile(p, m)).sort((a, b) => a.params - b.params)
  const cache = new Map<string, RouteEntry | undefined>()
  return {
    match: (pathname) => {
      // Most traffic hits a handful of paths; ids make the rest unique, so the cache is bounded.
      const hit = cache.get(pathname)
      if (hit !== undefined) return hit
      const found = compiled.find((c) => c.regex.test(pathname))
      if (found !== undefined && found.params === 0) cache.set(pathname, found)
      return found
    }
  }
}

