import { type Bus, SCRIPT_REQUESTS_PER_BOT } from '@taskforge/bus'
import { isAppError, isId, Limits } from '@taskforge/core'
import { type ScriptContentError, SecretEnvReply, SecretEnvRequest } from '@taskforge/proto/bots/v1/protocol'
import type { Logger } from '@taskforge/telemetry'
import { type BotRequestServer, serveBotRequests } from '../bot-requests/bot-request-server.js'
import type { BotDirectory } from '../commands/bot-directory.js'
import type { SecretSealer } from './secret-sealer.js'

/** Every bot's subject for opening a job's secret variables (`secrets.<bot>`): a bot may publish only on its own. */
export const SECRET_ENV_SUBJECTS = 'secrets.*'

/** Longer than any organization's name. */
const MAX_CUSTOMER_LENGTH = 100

export interface SecretEnvDeps {
  bots: Pick<BotDirectory, 'isBotOf'>
  sealer: Pick<SecretSealer, 'open'>
  logger: Logger
}

const refusal = (code: ScriptContentError['code'], message: string): SecretEnvReply => ({
  result: { $case: 'error', value: { code, message } },
})

/**
 * The answer to one bot's request to open a job's secret variables (decision 18). The bot is the one
 * the subject names, and it must be a bot of the organization the request says; each value opens
 * only for the organization, task and name it was sealed for, so a bot can have opened only what
 * its own organization's tasks hold, and a value cannot be passed off as another variable's.
 */
export async function answerSecretEnv(
  deps: SecretEnvDeps,
  botId: string,
  data: Uint8Array,
): Promise<SecretEnvReply> {
  let request: SecretEnvRequest
  try {
    request = SecretEnvRequest.decode(data)
  } catch (error) {
    return refusal('INVALID_ARGUMENT', `undecodable request: ${(error as Error).message}`)
  }
  const { customer, taskId, sealed } = request
  if (customer === '' || customer.length > MAX_CUSTOMER_LENGTH) {
    return refusal('INVALID_ARGUMENT', `customer must be 1 to ${MAX_CUSTOMER_LENGTH} characters`)
  }
  if (!isId(taskId)) return refusal('INVALID_ARGUMENT', 'task_id must be a task id')
  const entries = Object.entries(sealed)
  if (entries.length > Limits.envCount.value) {
    return refusal('INVALID_ARGUMENT', `at most ${Limits.envCount.value} variables`)
  }
  try {
    if (!isId(botId) || !(await deps.bots.isBotOf(customer, botId))) {
      return refusal('FORBIDDEN', `bot ${botId} is not a bot of ${customer}`)
    }
  } catch (error) {
    deps.logger.warn({ err: error, botId }, 'secret variables not answered')
    return refusal('UNAVAILABLE', 'the catalog cannot answer now; try again')
  }
  const values = new Map<string, string>()
  for (const [name, value] of entries) {
    try {
      values.set(name, deps.sealer.open(value, { purpose: 'env', customer, taskId, name }))
    } catch (error) {
      if (!isAppError(error)) throw error
      deps.logger.warn({ botId, customer, taskId, name, reason: error.message }, 'secret variable not opened')
      return refusal('FORBIDDEN', `secret_env ${name} does not open for task ${taskId}: ${error.message}`)
    }
  }
  return { result: { $case: 'values', value: { values: Object.fromEntries(values) } } }
}

/** Serves bots' requests to open secret variables on `secrets.<bot>`, a few of one bot at once. */
export function serveSecretEnv(nc: Bus['nc'], deps: SecretEnvDeps): BotRequestServer {
  return serveBotRequests(nc, {
    subjects: SECRET_ENV_SUBJECTS,
    what: 'secret variables',
    logger: deps.logger,
    answer: async (botId, data) => SecretEnvReply.encode(await answerSecretEnv(deps, botId, data)).finish(),
    busy: () =>
      SecretEnvReply.encode(
        refusal('UNAVAILABLE', `at most ${SCRIPT_REQUESTS_PER_BOT} requests of a bot at once`),
      ).finish(),
  })
}
