import { Bot } from '@taskforge/proto/bots/v1/bot_service'
import { isOnline } from '../presence/presence-policy.js'
import type { BotView } from '../projection/bot-queries.js'

/** The read model as the `bots.v1.Bot` message; `online` is judged at `now`. */
export function toProtoBot(view: BotView, now: Date): Bot {
  return Bot.fromPartial({
    id: view.id,
    customer: view.customer,
    name: view.name,
    online: isOnline(view.lastSeen, now),
    lastSeen: view.lastSeen,
    runningJobs: view.runningJobs,
    creationDate: view.creationDate,
  })
}
