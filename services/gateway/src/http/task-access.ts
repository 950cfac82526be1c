import { isId, notFound } from '@taskforge/core'
import type { Task } from '@taskforge/proto/catalog/v1/model'
import type { Caller } from '../accounts/accounts.js'
import type { Clients } from '../clients/clients.js'
import { canSee } from './acl.js'

/**
 * The task as the caller may see it: another organization's, a missing one and one whose `acls`
 * exclude the caller are all the same 404, so nothing tells them apart.
 */
export async function visibleTask(
  clients: Clients,
  caller: Caller,
  customer: string,
  taskId: string,
): Promise<Task> {
  if (!isId(taskId)) throw notFound('task', taskId)
  const { task } = await clients.catalog.getTask({ customer, taskId })
  if (task === undefined || !canSee(caller, task.definition?.acls ?? [])) throw notFound('task', taskId)
  return task
}

/** The ids of the tasks of `customer` the caller may see, or undefined when it sees them all (admins). */
export async function visibleTaskIds(
  clients: Clients,
  caller: Caller,
  customer: string,
): Promise<Set<string> | undefined> {
  if (caller.role === 'admin') return undefined
  const { tasks } = await clients.catalog.listTasks({ customer, tag: '', hostId: '' })
  return new Set(tasks.filter((task) => canSee(caller, task.definition?.acls ?? [])).map((task) => task.id))
}
