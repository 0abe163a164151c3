export {
  ApiKey,
  ApiKeyConfig,
  DEFAULT_BASE_URL,
  environmentSetting,
  GatewayUrl,
  GatewayUrlConfig
} from "./ConnectionSettings.js"
export {
  DEFAULT_TIMEOUT,
  DEFAULT_UPLOAD_TIMEOUT,
  LeadqClient,
  LeadqClientConfig,
  make as makeLeadqClient
} from "./LeadqClient.js"
export type {
  ClientError,
  ClientMethod,
  CsvSource,
  IfChanged,
  LeadqClientOptions,
  LeadqClientService,
  LeadqEndpoints
} from "./LeadqClient.js"
export { items, pages } from "./Pagination.js"
export { withIdempotencyKey } from "./ResilientHttpClient.js"
export {
  backoffMillis,
  DEFAULT_RETRY_POLICY,
  delayAfterStatus,
  IDEMPOTENCY_KEY_HEADER,
  isIdempotent,
  isRetryableStatus,
  retryAfterMillis,
  retryPolicyOf
} from "./RetryPolicy.js"
export type { RetryPolicy, RetryPolicyInput } from "./RetryPolicy.js"
export { ConnectionError, isTransportError, RequestTimeout, UnexpectedResponse } from "./TransportErrors.js"
export type { TransportError } from "./TransportErrors.js"
