import { validationFailed } from '@taskforge/core'
import type { SecretEnvChange as SecretEnvChangeMessage } from '@taskforge/proto/catalog/v1/catalog_service'
import type { SecretEnvChange } from '../domain/task-decider.js'
import type { SecretSealer } from './secret-sealer.js'

/** What a write asks of one secret variable, its value still in clear. */
export type ClearSecretEnvChange = { kind: 'set'; value: string } | { kind: 'keep' } | { kind: 'remove' }

/** The changes a gRPC request carries; a change that says nothing is refused. */
export function secretEnvChangesOf(
  message: Readonly<Record<string, SecretEnvChangeMessage>>,
): Map<string, ClearSecretEnvChange> {
  const changes = new Map<string, ClearSecretEnvChange>()
  for (const [name, { change }] of Object.entries(message)) {
    if (change?.$case === 'value') changes.set(name, { kind: 'set', value: change.value })
    else if (change?.$case === 'keep' && change.value) changes.set(name, { kind: 'keep' })
    else if (change?.$case === 'remove' && change.value) changes.set(name, { kind: 'remove' })
    else
      throw validationFailed(`secret_env ${name} says neither a value, keep nor remove`, {
        field: 'secret_env',
      })
  }
  return changes
}

/**
 * Seals the values a write sets, each bound to its organization, task and name: what the task
 * decider records. Names and values are checked for NUL first (a process environment cannot hold
 * it, and the seal's context joins on it).
 */
export function sealSecretEnv(
  sealer: SecretSealer,
  target: { customer: string; taskId: string },
  changes: ReadonlyMap<string, ClearSecretEnvChange>,
): Map<string, SecretEnvChange> {
  const sealed = new Map<string, SecretEnvChange>()
  for (const [name, change] of changes) {
    if (name === '' || name.includes('\0')) {
      throw validationFailed('secret_env names must be non-empty and without NUL characters', {
        field: 'secret_env',
      })
    }
    if (change.kind !== 'set') {
      sealed.set(name, change)
      continue
    }
    if (change.value.includes('\0')) {
      throw validationFailed(`secret_env ${name} may not contain NUL characters`, { field: 'secret_env' })
    }
    sealed.set(name, { kind: 'set', sealed: sealer.seal(change.value, { purpose: 'env', ...target, name }) })
  }
  return sealed
}
