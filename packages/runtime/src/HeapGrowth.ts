import { Effect } from "effect"
import * as v8 from "node:v8"

const FLAG = "--heap-growing-percent"

/**
 * After a full collection, V8 lets the old space grow to up to 4× the live heap before the next
 * one. A gateway under removal load promotes many short-lived objects (a request waiting for its
 * group commit outlives two scavenges), so with that factor dead objects piled up to ~100 MiB
 * between full collections: peak RSS ~220 MiB at 32 connections with under 40 MiB live. 1.5×
 * keeps the peak near 166 MiB, for more full collections (short, incremental ones): in the
 * removal benchmark about 5% more CPU per removal and a few ms more at p99. 2× gave a peak of
 * 180–190 MiB at much the same cost, too near the 200 MiB budget.
 *
 * V8 reads this flag at every full collection, so setting it at start-up takes effect (unlike the
 * heap-size flags, fixed when the heap is created). A `--heap-growing-percent` given on the
 * command line wins.
 */
export const limitHeapGrowth: Effect.Effect<void> = Effect.sync(() => {
  if (!process.execArgv.some((arg) => arg.startsWith(FLAG) || arg.startsWith("--heap_growing_percent"))) {
    v8.setFlagsFromString(`${FLAG}=50`)
  }
})
