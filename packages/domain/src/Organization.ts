import { Schema } from "effect"
import { ApiKeyId, OrganizationId } from "./Ids.js"

export class Organization extends Schema.Class<Organization>("Organization")({
  id: OrganizationId,
  name: Schema.String,
  created_at: Schema.DateFromSelf
}) {}

/**
 * An API key as stored: only a hash of its secret is kept; the plain key is shown once, when it
 * is created.
 */
export class ApiKey extends Schema.Class<ApiKey>("ApiKey")({
  id: ApiKeyId,
  organization_id: OrganizationId,
  secret_hash: Schema.String,
  created_at: Schema.DateFromSelf,
  revoked_at: Schema.NullOr(Schema.DateFromSelf)
}) {}

/** Who is calling: resolved from the bearer key by the gateway, provided to handlers. */
export interface Caller {
  readonly organization_id: OrganizationId
  readonly api_key_id: ApiKeyId
}

/** The plain key, returned once by `keys create`. */
export interface IssuedApiKey {
  readonly organization_id: OrganizationId
  readonly organization_name: string
  /** True when this call created the organization. */
  readonly organization_created: boolean
  readonly api_key_id: ApiKeyId
  readonly api_key: string
}
