import { BotDispatchServiceClient } from '@taskforge/proto/bots/v1/bot_service'
import { TaskCatalogServiceClient } from '@taskforge/proto/catalog/v1/catalog_service'
import { JobSchedulerServiceClient } from '@taskforge/proto/jobs/v1/scheduler_service'
import { QuarantineServiceClient } from '@taskforge/proto/ops/v1/quarantine_service'
import { WebhookRelayServiceClient } from '@taskforge/proto/webhooks/v1/webhook_relay_service'
import { createClient } from '@taskforge/rpc'

/** The gateway's gRPC clients to the services that own the data, each call presenting `credential`. */
export function createClients(
  addresses: {
    catalog: string
    scheduler: string
    dispatch: string
    webhooks: string
  },
  credential: string,
) {
  const options = { credential }
  const catalog = createClient(TaskCatalogServiceClient, addresses.catalog, options)
  const scheduler = createClient(JobSchedulerServiceClient, addresses.scheduler, options)
  const dispatch = createClient(BotDispatchServiceClient, addresses.dispatch, options)
  const webhooks = createClient(WebhookRelayServiceClient, addresses.webhooks, options)
  /** Each service's QuarantineService, by service name (the gateway's own is in process). */
  const quarantines = {
    'task-catalog': createClient(QuarantineServiceClient, addresses.catalog, options),
    'job-scheduler': createClient(QuarantineServiceClient, addresses.scheduler, options),
    'bot-dispatch': createClient(QuarantineServiceClient, addresses.dispatch, options),
    'webhook-relay': createClient(QuarantineServiceClient, addresses.webhooks, options),
  }
  return {
    catalog,
    scheduler,
    dispatch,
    webhooks,
    quarantines,
    close() {
      catalog.close()
      scheduler.close()
      dispatch.close()
      webhooks.close()
      for (const client of Object.values(quarantines)) client.close()
    },
  }
}
export type Clients = ReturnType<typeof createClients>
