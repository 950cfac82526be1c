import { conflict, type Decider, Limits, notFound, validationFailed } from '@taskforge/core'
import type { BotEvent } from '@taskforge/proto/bots/v1/events'

/** One event of a bot stream: the oneof case of `bots.v1.BotEvent`. */
export type BotDomainEvent = NonNullable<BotEvent['event']>

/** Bot names are ASCII: characters are bytes. */
export const BOT_NAME_MAX_LENGTH = Limits.botName.value
const BOT_NAME = /^[A-Za-z0-9._-]+$/
const SHA256_HEX = /^[0-9a-f]{64}$/

export interface RegisterBot {
  type: 'RegisterBot'
  botId: string
  customer: string
  name: string
  /** SHA-256 (hex) of the secret handed to the bot once; the secret itself is never stored. */
  secretHash: string
  /** Public key of the bot's NATS user ('' on a server without authentication). */
  natsUser: string
}

/** New credentials for a registered bot: its previous NATS user is revoked. */
export interface RotateCredentials {
  type: 'RotateCredentials'
  /** The caller's organization: another one's bot is as good as missing. */
  customer: string
  secretHash: string
  natsUser: string
}

/** Deletes a bot: its NATS user is revoked. */
export interface DeleteBot {
  type: 'DeleteBot'
  customer: string
}
/** A heartbeat arrived from a bot that was offline (or never seen). */
export interface MarkOnline {
  type: 'MarkOnline'
}

/** No heartbeat arrived from an online bot for the presence window. */
export interface MarkOffline {
  type: 'MarkOffline'
  reason: string
  lastSeen: Date | undefined
}

export type BotCommand = RegisterBot | RotateCredentials | DeleteBot | MarkOnline | MarkOffline

export interface BotState {
  /** Undefined until the bot is registered. */
  botId: string | undefined
  customer: string
  name: string
  online: boolean
  /** The NATS user the bot holds now ('' when none was recorded). */
  natsUser: string
  deleted: boolean
}

/** Why a bot name is unusable, or undefined when it is fine. */
export function botNameProblem(name: string): string | undefined {
  if (name === '') return 'name is required'
  if (name.length > BOT_NAME_MAX_LENGTH) return `name is longer than ${BOT_NAME_MAX_LENGTH} characters`
  if (!BOT_NAME.test(name)) return 'name may hold only letters, digits, ".", "_" and "-"'
  return undefined
}

function decide(command: BotCommand, state: BotState): BotDomainEvent[] {
  switch (command.type) {
    case 'RegisterBot': {
      if (state.botId !== undefined) throw conflict(`bot ${command.botId} is already registered`)
      if (command.customer === '') throw validationFailed('customer is required', { field: 'customer' })
      const problem = botNameProblem(command.name)
      if (problem !== undefined) throw validationFailed(problem, { field: 'name' })
      if (!SHA256_HEX.test(command.secretHash)) {
        throw validationFailed('secret hash must be a hex SHA-256', { field: 'secret_hash' })
      }
      return [
        {
          $case: 'registered',
          value: {
            botId: command.botId,
            customer: command.customer,
            name: command.name,
            secretHash: command.secretHash,
            natsUser: command.natsUser,
          },
        },
      ]
    }
    case 'RotateCredentials': {
      const botId = ownBot(state, command.customer)
      if (!SHA256_HEX.test(command.secretHash)) {
        throw validationFailed('secret hash must be a hex SHA-256', { field: 'secret_hash' })
      }
      return [
        {
          $case: 'credentialsRotated',
          value: {
            botId,
            secretHash: command.secretHash,
            natsUser: command.natsUser,
            revokedNatsUser: state.natsUser,
          },
        },
      ]
    }
    case 'DeleteBot': {
      const botId = ownBot(state, command.customer)
      return [{ $case: 'deleted', value: { botId, revokedNatsUser: state.natsUser } }]
    }
    case 'MarkOnline': {
      const botId = registered(state)
      if (state.deleted) return []
      return state.online ? [] : [{ $case: 'cameOnline', value: { botId } }]
    }
    case 'MarkOffline': {
      const botId = registered(state)
      if (state.deleted) return []
      return state.online
        ? [{ $case: 'wentOffline', value: { botId, reason: command.reason, lastSeen: command.lastSeen } }]
        : []
    }
  }
}

function registered(state: BotState): string {
  if (state.botId === undefined) throw notFound('bot')
  return state.botId
}

/** A bot of `customer` that is not deleted; anything else is as good as missing. */
function ownBot(state: BotState, customer: string): string {
  if (state.botId === undefined || state.deleted || state.customer !== customer) {
    throw notFound('bot', state.botId)
  }
  return state.botId
}

function evolve(state: BotState, event: BotDomainEvent): BotState {
  switch (event.$case) {
    case 'registered':
      return {
        ...state,
        botId: event.value.botId,
        customer: event.value.customer,
        name: event.value.name,
        natsUser: event.value.natsUser,
      }
    case 'credentialsRotated':
      return { ...state, natsUser: event.value.natsUser }
    case 'deleted':
      return { ...state, natsUser: '', online: false, deleted: true }
    case 'cameOnline':
      return { ...state, online: true }
    case 'wentOffline':
      return { ...state, online: false }
  }
}

/**
 * The bot aggregate: registration, then presence as it changes (online when heartbeats arrive,
 * offline when they stop), credential rotations and the deletion. Repeating a presence change is a
 * no-op, and so is presence after the deletion; a deleted bot is not found by anything else.
 */
export const botDecider: Decider<BotCommand, BotState, BotDomainEvent> = {
  decide,
  evolve,
  initialState: () => ({
    botId: undefined,
    customer: '',
    name: '',
    online: false,
    natsUser: '',
    deleted: false,
  }),
}
