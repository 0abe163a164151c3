import { Layer } from "effect"
import { GroupCommitLive } from "./GroupCommit.js"
import { QueueWakeupsLive } from "./QueueWakeups.js"
import { ApiKeyRepositoryLive } from "./SqlApiKeyRepository.js"
import { AuthFailuresLive } from "./SqlAuthFailures.js"
import { CallLogRepositoryLive } from "./SqlCallLogRepository.js"
import { CampaignRepositoryLive } from "./SqlCampaignRepository.js"
import { CarrierEventsLive } from "./SqlCarrierEvents.js"
import { IdempotencyKeysLive } from "./SqlIdempotencyKeys.js"
import { LeadQueueLive } from "./SqlLeadQueue.js"
import { LeadRepositoryLive } from "./SqlLeadRepository.js"
import { RemovalAuditRepositoryLive } from "./SqlRemovalAuditRepository.js"
import { SuppressionRepositoryLive } from "./SqlSuppressionRepository.js"
import { WebhookEndpointRepositoryLive } from "./SqlWebhookEndpointRepository.js"

export * from "./Database.js"
export * from "./GroupCommit.js"
export { migrate, migrations } from "./Migrations.js"
export * from "./QueueWakeups.js"
export { ApiKeyRepositoryLive } from "./SqlApiKeyRepository.js"
export { AuthFailuresLive } from "./SqlAuthFailures.js"
export { CallLogRepositoryLive } from "./SqlCallLogRepository.js"
export { CampaignRepositoryLive } from "./SqlCampaignRepository.js"
export { CarrierEventsLive } from "./SqlCarrierEvents.js"
export { IdempotencyKeysLive } from "./SqlIdempotencyKeys.js"
export { LeadQueueLive } from "./SqlLeadQueue.js"
export { LeadRepositoryLive } from "./SqlLeadRepository.js"
export { RemovalAuditRepositoryLive } from "./SqlRemovalAuditRepository.js"
export { SuppressionRepositoryLive } from "./SqlSuppressionRepository.js"
export { WebhookEndpointRepositoryLive } from "./SqlWebhookEndpointRepository.js"
export * from "./SqlWebhookDeliveries.js"

/**
 * Every repository of the domain on one SQL database (SQLite or PostgreSQL, whichever
 * `SqlClient` is provided), plus the queue wake-ups. Build it once per process, at the app edge.
 */
export const StoreLive = Layer.mergeAll(
  CampaignRepositoryLive,
  LeadRepositoryLive,
  RemovalAuditRepositoryLive,
  SuppressionRepositoryLive,
  WebhookEndpointRepositoryLive,
  CallLogRepositoryLive,
  LeadQueueLive,
  ApiKeyRepositoryLive,
  AuthFailuresLive,
  CarrierEventsLive,
  IdempotencyKeysLive
).pipe(Layer.provideMerge(Layer.merge(QueueWakeupsLive, GroupCommitLive)))
