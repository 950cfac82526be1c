import { BotDispatchServiceClient } from '@taskforge/proto/bots/v1/bot_service'
import { TaskCatalogServiceClient } from '@taskforge/proto/catalog/v1/catalog_service'
import { JobSchedulerServiceClient } from '@taskforge/proto/jobs/v1/scheduler_service'
import { WebhookRelayServiceClient } from '@taskforge/proto/webhooks/v1/webhook_relay_service'
import { createClient } from '@taskforge/rpc'

/** The gateway's gRPC clients to the services that own the data. */
export function createClients(addresses: {
  catalog: string
  scheduler: string
  dispatch: string
  webhooks: string
}) {
  const catalog = createClient(TaskCatalogServiceClient, addresses.catalog)
  const scheduler = createClient(JobSchedulerServiceClient, addresses.scheduler)
  const dispatch = createClient(BotDispatchServiceClient, addresses.dispatch)
  const webhooks = createClient(WebhookRelayServiceClient, addresses.webhooks)
  return {
    catalog,
    scheduler,
    dispatch,
    webhooks,
    close() {
      catalog.close()
      scheduler.close()
      dispatch.close()
      webhooks.close()
    },
  }
}
export type Clients = ReturnType<typeof createClients>
