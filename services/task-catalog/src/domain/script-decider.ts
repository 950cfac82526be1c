import { checkSize, conflict, type Decider, Limits, notFound, validationFailed } from '@taskforge/core'
import type { ScriptEvent } from '@taskforge/proto/catalog/v1/events'

/** One fact of a script stream: the ts-proto oneof case of `ScriptEvent`. */
export type ScriptDomainEvent = NonNullable<ScriptEvent['event']>

export type ScriptCommand =
  | {
      type: 'createScript'
      scriptId: string
      customer: string
      filename: string
      description: string
      content: Uint8Array
    }
  | {
      type: 'updateScript'
      scriptId: string
      customer: string
      filename?: string | undefined
      description?: string | undefined
      content?: Uint8Array | undefined
    }
  | { type: 'deleteScript'; scriptId: string; customer: string }

export type ScriptState =
  | { status: 'absent' }
  | {
      status: 'active' | 'deleted'
      scriptId: string
      customer: string
      filename: string
      description: string
      content: Buffer
    }

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** Trims and checks a script file name: it becomes a file on the bot, so no path separators nor NUL. */
export function validateFilename(filename: unknown): string {
  const value = typeof filename === 'string' ? filename.trim() : ''
  if (value === '') throw validationFailed('filename is required', { field: 'filename' })
  checkSize(Limits.scriptFilename, 'filename', value)
  if (value.includes('/') || value.includes('\0')) {
    throw validationFailed('filename may not contain "/" nor NUL characters', { field: 'filename' })
  }
  if (value === '.' || value === '..')
    throw validationFailed('filename may not be "." or ".."', { field: 'filename' })
  return value
}

/** The description is a Postgres text column, which cannot hold NUL. */
function validateDescription(description: string): string {
  checkSize(Limits.scriptDescription, 'description', description)
  if (description.includes('\0')) {
    throw validationFailed('description may not contain NUL characters', { field: 'description' })
  }
  return description
}

/** Script events carry the content: the limit keeps them under the bus's largest message. */
function validateContent(content: Uint8Array): Buffer {
  checkSize(Limits.scriptContent, 'content', content)
  return toBuffer(content)
}

function activeOf(state: ScriptState, command: { scriptId: string; customer: string }) {
  // Another customer's script is reported exactly like a missing one, so ids leak nothing.
  if (state.status !== 'active' || state.customer !== command.customer)
    throw notFound('script', command.scriptId)
  return state
}

function decide(command: ScriptCommand, state: ScriptState): ScriptDomainEvent[] {
  switch (command.type) {
    case 'createScript': {
      if (state.status !== 'absent') throw conflict(`script ${command.scriptId} already exists`)
      return [
        {
          $case: 'created',
          value: {
            scriptId: command.scriptId,
            customer: command.customer,
            filename: validateFilename(command.filename),
            description: validateDescription(command.description),
            content: validateContent(command.content),
          },
        },
      ]
    }
    case 'updateScript': {
      const current = activeOf(state, command)
      const filename = command.filename === undefined ? undefined : validateFilename(command.filename)
      const content = command.content === undefined ? undefined : validateContent(command.content)
      const description =
        command.description === undefined ? undefined : validateDescription(command.description)
      const changes = {
        filename: filename !== undefined && filename !== current.filename ? filename : undefined,
        description:
          description !== undefined && description !== current.description ? description : undefined,
        content: content !== undefined && !content.equals(current.content) ? content : undefined,
      }
      if (
        changes.filename === undefined &&
        changes.description === undefined &&
        changes.content === undefined
      ) {
        return []
      }
      return [{ $case: 'updated', value: changes }]
    }
    case 'deleteScript': {
      activeOf(state, command)
      return [{ $case: 'deleted', value: {} }]
    }
  }
}

function evolve(state: ScriptState, event: ScriptDomainEvent): ScriptState {
  switch (event.$case) {
    case 'created':
      return {
        status: 'active',
        scriptId: event.value.scriptId,
        customer: event.value.customer,
        filename: event.value.filename,
        description: event.value.description,
        content: event.value.content,
      }
    case 'updated':
      if (state.status === 'absent') return state
      return {
        ...state,
        filename: event.value.filename ?? state.filename,
        description: event.value.description ?? state.description,
        content: event.value.content ?? state.content,
      }
    case 'deleted':
      return state.status === 'absent' ? state : { ...state, status: 'deleted' }
  }
}

/**
 * The rules of one script: a named file (no path) of at most 1 MiB, owned by one customer.
 * Updates emit only the fields that changed; a deleted script is gone for every command.
 */
export const scriptDecider: Decider<ScriptCommand, ScriptState, ScriptDomainEvent> = {
  decide,
  evolve,
  initialState: () => ({ status: 'absent' }),
}
