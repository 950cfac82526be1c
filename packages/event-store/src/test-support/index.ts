import { newId } from '@taskforge/core'
import { testDatabase } from '@taskforge/testkit'
import { createDb } from '../create-db.js'
import { EventStore } from '../event-store.js'
import type { Db, NewEvent } from '../types.js'

/** A migrated store on a fresh database of the run's shared Postgres. */
export async function freshStore(
  options: { max?: number } = {},
): Promise<{ db: Db; store: EventStore; url: string }> {
  const url = await testDatabase()
  const db = createDb(url, options)
  const store = new EventStore(db)
  await store.migrate()
  return { db, store, url }
}

export function newEvent(type: string, text = type, customer = 'acme'): NewEvent {
  return { type, data: new TextEncoder().encode(text), eventId: newId(), metadata: { customer } }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A promise with its resolve function, to hold a transaction open until the test says so. */
export function gate(): { promise: Promise<void>; open: () => void } {
  const opened: { open?: () => void } = {}
  const promise = new Promise<void>((resolve) => {
    opened.open = resolve
  })
  return { promise, open: () => opened.open?.() }
}
