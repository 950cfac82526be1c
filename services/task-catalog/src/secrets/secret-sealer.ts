import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { AppError, ConfigError, ErrorKinds } from '@taskforge/core'

/** Layout of a sealed value: version, key id, nonce, ciphertext (as long as the value), tag. */
const FORMAT_VERSION = 1
const KEY_ID_BYTES = 4
const NONCE_BYTES = 12
const TAG_BYTES = 16
const HEADER_BYTES = 1 + KEY_ID_BYTES + NONCE_BYTES
/** Bytes a sealed value has beyond its clear value's: its size in clear is its length less this. */
export const SEALED_OVERHEAD = HEADER_BYTES + TAG_BYTES
const KEY_BYTES = 32

/**
 * What a sealed value is for: opened under another purpose, organization, object or name, it does
 * not open. This keeps a value from being moved: a bot cannot have another task's variable, nor
 * another organization's, opened for it.
 */
export type SealContext =
  | { purpose: 'task-secret'; customer: string; taskId: string }
  | { purpose: 'webhook-secret'; customer: string; webhookId: string }
  | { purpose: 'workflow-secret'; customer: string; workflowId: string }
  | { purpose: 'env'; customer: string; taskId: string; name: string }

function additionalData(context: SealContext): Buffer {
  const parts =
    context.purpose === 'task-secret'
      ? [context.customer, context.taskId]
      : context.purpose === 'webhook-secret'
        ? [context.customer, context.webhookId]
        : context.purpose === 'workflow-secret'
          ? [context.customer, context.workflowId]
          : [context.customer, context.taskId, context.name]
  // Organization names, ids and env names never hold NUL (they are refused before), so the join is unambiguous.
  return Buffer.from(['taskforge', context.purpose, ...parts].join('\0'), 'utf8')
}

/** A value that does not open: not sealed under any key held, altered, or sealed for another context. */
export function unopenable(message: string): AppError {
  return new AppError(ErrorKinds.FORBIDDEN, message)
}

interface SealingKey {
  id: Buffer
  key: Buffer
}

function keyOf(raw: string, index: number): SealingKey {
  const text = raw.trim()
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64')
  if (key.length !== KEY_BYTES) {
    throw new ConfigError(
      `SECRETS_KEYS entry ${index + 1} is not a key of ${KEY_BYTES} bytes (64 hex characters or base64)`,
    )
  }
  return { id: createHash('sha256').update(key).digest().subarray(0, KEY_ID_BYTES), key }
}

/**
 * Seals and opens the catalog's secrets (task secret keys, incoming webhooks' secrets, secret
 * variables) with AES-256-GCM, so that the event store, the read tables and every event published
 * hold them only sealed (decision 18). The first key seals; every key opens, so a key is rotated by
 * putting a new one first and dropping the old one once nothing sealed with it is read any more.
 * Each sealed value names its key by a 4-byte id, and is bound to what it is for ({@link SealContext}).
 *
 * @example
 * const sealer = SecretSealer.fromKeys([key])
 * const sealed = sealer.seal('hunter22', { purpose: 'env', customer, taskId, name: 'DB_PASSWORD' })
 * sealer.open(sealed, { purpose: 'env', customer, taskId, name: 'DB_PASSWORD' }) // 'hunter22'
 */
export class SecretSealer {
  readonly #keys: readonly SealingKey[]

  private constructor(keys: readonly SealingKey[]) {
    this.#keys = keys
  }

  /** Keys as configured (`SECRETS_KEYS`): 32 bytes each, as 64 hex characters or base64; the first seals. */
  static fromKeys(keys: readonly string[]): SecretSealer {
    if (keys.length === 0) throw new ConfigError('SECRETS_KEYS needs at least one key')
    return new SecretSealer(keys.map(keyOf))
  }

  /** A new random key, as `SECRETS_KEYS` takes it. */
  static newKey(): string {
    return randomBytes(KEY_BYTES).toString('base64')
  }

  seal(value: string, context: SealContext): Buffer {
    const { id, key } = this.#keys[0]!
    const nonce = randomBytes(NONCE_BYTES)
    const cipher = createCipheriv('aes-256-gcm', key, nonce)
    cipher.setAAD(additionalData(context))
    const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()])
    return Buffer.concat([Buffer.of(FORMAT_VERSION), id, nonce, body, cipher.getAuthTag()])
  }

  /** The clear value; throws {@link unopenable} when it does not open. */
  open(sealed: Uint8Array, context: SealContext): string {
    const data = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength)
    if (data.length < SEALED_OVERHEAD || data[0] !== FORMAT_VERSION) {
      throw unopenable('the value is not a sealed value')
    }
    const id = data.subarray(1, 1 + KEY_ID_BYTES)
    const found = this.#keys.find((candidate) => candidate.id.equals(id))
    if (found === undefined)
      throw unopenable(`the value is sealed under a key not held (${id.toString('hex')})`)
    const decipher = createDecipheriv('aes-256-gcm', found.key, data.subarray(1 + KEY_ID_BYTES, HEADER_BYTES))
    decipher.setAAD(additionalData(context))
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES))
    try {
      const clear = Buffer.concat([
        decipher.update(data.subarray(HEADER_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ])
      return clear.toString('utf8')
    } catch {
      throw unopenable('the value does not open: altered, or sealed for something else')
    }
  }
}

/**
 * Opens a value the catalog stored itself: one that does not open means the key ring lacks the key it
 * was sealed with (SECRETS_KEYS changed), a fault of the deployment, not of the caller.
 */
export function openStored(
  sealer: Pick<SecretSealer, 'open'>,
  sealed: Uint8Array,
  context: SealContext,
): string {
  try {
    return sealer.open(sealed, context)
  } catch (error) {
    throw new AppError(
      ErrorKinds.INTERNAL,
      `a stored ${context.purpose} does not open: does SECRETS_KEYS still hold the key it was sealed with?`,
      { cause: error },
    )
  }
}

/** The size in bytes of a sealed value's clear value (GCM adds nothing to the value's length). */
export function clearSize(sealed: Uint8Array): number {
  return Math.max(0, sealed.length - SEALED_OVERHEAD)
}
