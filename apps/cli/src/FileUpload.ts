import * as FileSystem from "@effect/platform/FileSystem"
import type { CsvSource } from "@leadq/transport"
import { Effect, Stream } from "effect"
import * as path from "node:path"
import { progressBar } from "./Progress.js"
import { UsageError } from "./UsageError.js"

/**
 * A CSV file sent to the gateway as it is read (`leads upload`, `suppressions upload`), never
 * held whole, with a progress bar on the bytes sent; `waiting` is said once they all are.
 */
export const uploadFile = <A, E, R>(file: string, waiting: string, send: (source: CsvSource) => Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const info = yield* Effect.mapError(fs.stat(file), () => new UsageError({ message: `Cannot read the file ${file}.` }))
    if (info.type !== "File") return yield* new UsageError({ message: `${file} is not a file.` })
    const size = Number(info.size)
    return yield* Effect.scoped(Effect.gen(function*() {
      const progress = yield* progressBar("upload", size, "bytes")
      const content = fs.stream(file, { chunkSize: FileSystem.KiB(64) }).pipe(
        Stream.tap((chunk) => Effect.sync(() => progress.advance(chunk.byteLength))),
        Stream.onDone(() => Effect.sync(() => progress.status(waiting)))
      )
      return yield* send({ content, size, filename: path.basename(file) })
    }))
  })
