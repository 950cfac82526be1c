import type { Bus, StoredEventLike } from '@taskforge/bus'
import { newId } from '@taskforge/core'
import { TaskEvent } from '@taskforge/proto/catalog/v1/events'
import { TaskDefinition } from '@taskforge/proto/catalog/v1/model'
import { JobEvent } from '@taskforge/proto/jobs/v1/events'
import { JobSpec } from '@taskforge/proto/jobs/v1/model'

let position = 0n

/** A stored event as another service's outbox relay would publish it. */
export function storedEvent(
  streamType: string,
  streamId: string,
  version: number,
  type: string,
  data: Uint8Array,
  customer = 'acme',
): StoredEventLike {
  position += 1n
  return {
    eventId: newId(),
    streamType,
    streamId,
    streamVersion: BigInt(version),
    type,
    data,
    metadata: { customer, author: 'ops' },
    occurredAt: new Date(),
    transactionId: position,
    position,
  }
}

export const taskCreated = (taskId: string, name: string, customer = 'acme') =>
  storedEvent(
    'task',
    taskId,
    1,
    'created',
    TaskEvent.encode({
      event: {
        $case: 'created',
        value: {
          taskId,
          customer,
          definition: TaskDefinition.fromPartial({ name, hostId: 'b1', scriptId: 's1', timeout: 600 }),
          secret: '',
          sealedSecret: Buffer.alloc(97, 1),
        },
      },
    }).finish(),
    customer,
  )

export const taskUpdated = (taskId: string, version: number, description: string) =>
  storedEvent(
    'task',
    taskId,
    version,
    'updated',
    TaskEvent.encode({
      event: {
        $case: 'updated',
        value: {
          definition: TaskDefinition.fromPartial({ name: 'n', hostId: 'b1', scriptId: 's1', description }),
          changedFields: ['description'],
        },
      },
    }).finish(),
  )

export const jobQueued = (jobId: string, taskId: string, customer = 'acme') =>
  storedEvent(
    'job',
    jobId,
    1,
    'queued',
    JobEvent.encode({
      event: {
        $case: 'queued',
        value: {
          jobId,
          customer,
          spec: JobSpec.fromPartial({ taskId, taskName: 'n', hostId: 'b1' }),
          taskArgumentsValues: [],
          origin: 'api',
          holdUntil: undefined,
        },
      },
    }).finish(),
    customer,
  )

/** Publishes events on EVENTS as the producing services' relays do. */
export function publish(bus: Bus, ...events: StoredEventLike[]): Promise<void> {
  return bus.publishEvents(events)
}
