import { tf } from './api.js'

/** One change the events stream announced: its name (`job.update`, ...) and what it carries. */
export interface Change {
  name: string
  data: Record<string, unknown>
}
type Listener = (change: Change) => void

const listeners = new Set<Listener>()
let source: EventSource | undefined
let poll: ReturnType<typeof setInterval> | undefined
let failures = 0

/**
 * Calls `listener` on every change the organization's events stream (`GET /:customer/events`)
 * announces; where the stream cannot be had, every two seconds with a `tick`, so a page refreshes
 * itself either way. Answers the function that stops listening.
 */
export function onChange(listener: Listener): () => void {
  listeners.add(listener)
  if (listeners.size === 1) connect()
  return () => {
    listeners.delete(listener)
    if (listeners.size === 0) disconnect()
  }
}

function emit(change: Change): void {
  for (const listener of listeners) listener(change)
}

function connect(): void {
  if (failures >= 3 || typeof EventSource === 'undefined') {
    startPolling()
    return
  }
  const es = new EventSource(`${tf().url}/${encodeURIComponent(tf().customer)}/events`, {
    withCredentials: true,
  })
  source = es
  es.onopen = () => {
    failures = 0
  }
  es.onmessage = (message) => emit(parse('message', message.data))
  // `event:` is job, task, schedule, workflow, workflow_run or bot; `data` is
  // `{ type, id, task_id?, workflow_id?, lifecycle?, state?, outcome?, node?, node_state? }`.
  for (const name of ['job', 'task', 'bot', 'schedule', 'workflow', 'workflow_run'])
    es.addEventListener(name, (message) => emit(parse(name, (message as MessageEvent<string>).data)))
  // What was missed can no longer be replayed: every page reads again.
  es.addEventListener('reset', () => emit({ name: 'tick', data: {} }))
  es.onerror = () => {
    // A closed stream reconnects by itself with Last-Event-ID; one that cannot open falls back to polling.
    if (es.readyState === EventSource.CLOSED) {
      failures++
      disconnect()
      if (listeners.size > 0) setTimeout(connect, 1000)
    }
  }
}

function parse(name: string, text: string): Change {
  try {
    const data = JSON.parse(text) as Record<string, unknown>
    return { name, data }
  } catch {
    return { name, data: {} }
  }
}

function startPolling(): void {
  poll ??= setInterval(() => emit({ name: 'tick', data: {} }), 2000)
}

function disconnect(): void {
  source?.close()
  source = undefined
  if (poll) clearInterval(poll)
  poll = undefined
}
