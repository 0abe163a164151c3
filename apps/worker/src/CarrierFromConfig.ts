import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type { CarrierEvents } from "@leadq/domain"
import type { Carrier } from "@leadq/telephony"
import { HttpCarrierLive, SimulatedCarrierLive } from "@leadq/telephony"
import { Effect, Layer } from "effect"
import { WorkerConfig } from "./WorkerConfig.js"

/** `LEADQ_CARRIER` picks the adapter: the simulated carrier (default) or the voice platform over HTTP. */
export const CarrierFromConfig: Layer.Layer<Carrier, never, WorkerConfig | CarrierEvents> = Layer.unwrapEffect(
  Effect.map(WorkerConfig, (config) =>
    config.carrier.kind === "simulated"
      ? SimulatedCarrierLive(config.carrier.simulated)
      : HttpCarrierLive(config.carrier.http).pipe(Layer.provide(FetchHttpClient.layer)))
)
