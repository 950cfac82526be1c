import { Bot } from '@taskforge/proto/bots/v1/bot_service'
import { isOnline, ONLINE_WINDOW_MS } from '../presence/presence-policy.js'
import type { BotView } from '../projection/bot-queries.js'

/**
 * The read model as the `bots.v1.Bot` message. `online` is the presence its events recorded (so the
 * listing and the `bot.online` / `bot.offline` events agree), and a bot silent for longer than the
 * presence window shows offline at `now` even before the offline sweep recorded it.
 */
export function toProtoBot(view: BotView, now: Date, onlineWindowMs = ONLINE_WINDOW_MS): Bot {
  return Bot.fromPartial({
    id: view.id,
    customer: view.customer,
    name: view.name,
    online: view.online && isOnline(view.lastSeen, now, onlineWindowMs),
    lastSeen: view.lastSeen,
    runningJobs: view.runningJobs,
    creationDate: view.creationDate,
  })
}
