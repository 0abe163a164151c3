import * as HttpApi from "@effect/platform/HttpApi"
import * as OpenApi from "@effect/platform/OpenApi"
import { CallLogsGroup } from "./CallLogsGroup.js"
import { CampaignsGroup } from "./CampaignsGroup.js"
import { CarrierWebhookGroup } from "./CarrierWebhookGroup.js"
import { InternalServerError, InvalidInputError, PayloadTooLargeError, UnsupportedMediaTypeError } from "./Envelope.js"
import { LeadsGroup } from "./LeadsGroup.js"
import { RemovalsGroup } from "./RemovalsGroup.js"
import { ServiceGroup } from "./ServiceGroup.js"
import { SuppressionsGroup } from "./SuppressionsGroup.js"
import { WebhooksGroup } from "./WebhooksGroup.js"
import { WebhookDeliveriesGroup } from "./WebhookDeliveriesGroup.js"

/**
 * The v1 contract, shared by the gateway (which implements it) and the typed client (which is
 * derived from it). Wire-compatible with the DialNexa Campaigns API: snake_case answers, the
 * camelCase lead body, `{data, meta}` lists and the `{statusCode, message, error}` envelope.
 *
 * Errors any endpoint can answer are declared once here; each endpoint adds its own.
 */
export class LeadqApi extends HttpApi.make("leadq")
  .add(CampaignsGroup)
  .add(LeadsGroup)
  .add(CallLogsGroup)
  .add(RemovalsGroup)
  .add(SuppressionsGroup)
  .add(WebhooksGroup)
  .add(WebhookDeliveriesGroup)
  .add(CarrierWebhookGroup)
  .add(ServiceGroup)
  .addError(InvalidInputError)
  .addError(PayloadTooLargeError)
  .addError(UnsupportedMediaTypeError)
  .addError(InternalServerError)
  .annotate(OpenApi.Title, "leadq")
  .annotate(OpenApi.Version, "1.0.0")
  .annotate(
    OpenApi.Description,
    "Outbound-calling campaign lead queue, wire-compatible with the DialNexa Campaigns API. " +
      "Every failure is `{statusCode, message, error, code}`; `code` names the error."
  )
  .annotate(OpenApi.Transform, (spec) => withoutPlatformDecodeError(spec))
{}

/**
 * The platform declares its own decode error on every API; ours never sends it (a request that
 * does not decode is answered as `InvalidInput`), so the reference should not show it either.
 */
const withoutPlatformDecodeError = (spec: Record<string, unknown>): Record<string, unknown> => {
  const isDecodeErrorRef = (n: unknown) =>
    typeof n === "object" && n !== null && (n as { $ref?: unknown }).$ref === "#/components/schemas/HttpApiDecodeError"
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.filter((n) => !isDecodeErrorRef(n)).map(walk)
    if (node && typeof node === "object") {
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(node)) out[k] = walk(v)
      if (Array.isArray(out["anyOf"]) && (out["anyOf"] as Array<unknown>).length === 1) {
        const [only] = out["anyOf"] as Array<Record<string, unknown>>
        delete out["anyOf"]
        return { ...out, ...only }
      }
      return out
    }
    return node
  }
  const result = walk(spec) as { components?: { schemas?: Record<string, unknown> } }
  delete result.components?.schemas?.["HttpApiDecodeError"]
  delete result.components?.schemas?.["Issue"]
  return result
}
