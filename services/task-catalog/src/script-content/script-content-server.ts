import { type Bus, SCRIPT_REQUESTS_PER_BOT } from '@taskforge/bus'
import { isContentSha256, isId } from '@taskforge/core'
import {
  type ScriptContentError,
  ScriptContentReply,
  ScriptContentRequest,
} from '@taskforge/proto/bots/v1/protocol'
import type { Logger } from '@taskforge/telemetry'
import { type BotRequestServer, serveBotRequests } from '../bot-requests/bot-request-server.js'
import type { BotDirectory } from '../commands/bot-directory.js'
import type { CatalogReadModel } from '../projections/catalog-read-model.js'

/** Every bot's request subject (`scripts.<bot>`): a bot's NATS user may publish only on its own. */
export const SCRIPT_CONTENT_SUBJECTS = 'scripts.*'
/**
 * Bytes of content in one reply: far under NATS' max_payload (1 MiB by default) whatever the
 * headers, and half the script limit, so that the largest scripts do travel in parts (a server run
 * with a smaller max_payload still gets every script).
 */
export const SCRIPT_PART_BYTES = 128 * 1024

/** Longer than any organization's name; what a request says is echoed in refusals only up to it. */
const MAX_CUSTOMER_LENGTH = 100

export interface ScriptContentDeps {
  readModel: Pick<CatalogReadModel, 'scriptContentPart'>
  bots: Pick<BotDirectory, 'isBotOf'>
  logger: Logger
}

const refusal = (code: ScriptContentError['code'], message: string): ScriptContentReply => ({
  result: { $case: 'error', value: { code, message } },
})

/**
 * The answer to one bot's request for a part of a script's content. The bot is the one the subject
 * names (the NATS server lets no other bot publish there), and it gets only contents that a script
 * of its own organization had: another organization's content is not found, even when the same.
 */
export async function answerScriptContent(
  deps: ScriptContentDeps,
  botId: string,
  data: Uint8Array,
): Promise<ScriptContentReply> {
  let request: ScriptContentRequest
  try {
    request = ScriptContentRequest.decode(data)
  } catch (error) {
    return refusal('INVALID_ARGUMENT', `undecodable request: ${(error as Error).message}`)
  }
  const { customer, sha256, offset } = request
  if (!isContentSha256(sha256))
    return refusal('INVALID_ARGUMENT', 'sha256 must be 64 lowercase hex characters')
  if (customer === '' || customer.length > MAX_CUSTOMER_LENGTH) {
    return refusal('INVALID_ARGUMENT', `customer must be 1 to ${MAX_CUSTOMER_LENGTH} characters`)
  }
  try {
    if (!isId(botId) || !(await deps.bots.isBotOf(customer, botId))) {
      return refusal('FORBIDDEN', `bot ${botId} is not a bot of ${customer}`)
    }
    const part = await deps.readModel.scriptContentPart(customer, sha256, offset, SCRIPT_PART_BYTES)
    if (part === undefined) return refusal('NOT_FOUND', `no script of ${customer} has the content ${sha256}`)
    if (offset > part.size) {
      return refusal('INVALID_ARGUMENT', `offset ${offset} is past the content's ${part.size} bytes`)
    }
    return { result: { $case: 'part', value: { size: part.size, data: part.data } } }
  } catch (error) {
    deps.logger.warn({ err: error, botId, sha256 }, 'script content not answered')
    return refusal('UNAVAILABLE', 'the catalog cannot answer now; try again')
  }
}

/**
 * Serves bots' requests for script content (decision 15) on `scripts.<bot>`, at most
 * {@link SCRIPT_REQUESTS_PER_BOT} of one bot at once, so that one bot's flood of requests cannot
 * take the catalog from the others.
 */
export function serveScriptContent(nc: Bus['nc'], deps: ScriptContentDeps): BotRequestServer {
  return serveBotRequests(nc, {
    subjects: SCRIPT_CONTENT_SUBJECTS,
    what: 'script content',
    logger: deps.logger,
    answer: async (botId, data) =>
      ScriptContentReply.encode(await answerScriptContent(deps, botId, data)).finish(),
    busy: () =>
      ScriptContentReply.encode(
        refusal('UNAVAILABLE', `at most ${SCRIPT_REQUESTS_PER_BOT} requests of a bot at once`),
      ).finish(),
  })
}
