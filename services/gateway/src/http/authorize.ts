import { forbidden, notFound } from '@taskforge/core'
import { canSee, hasRole, type Role } from '@taskforge/model'
import type { Caller } from '../accounts/accounts.js'

/** What a route asks of its caller: at least a role in the organization it acts in, or the operator's root token. */
export type Need = Role | 'root'

/**
 * Who below admin sees an object. `organization`: every member of its organization. `tasks`: the
 * object is reached through tasks (a task through itself, a job through its task, a script through
 * each task that runs it) and is seen when one of their `acls` shows it to the caller; reached
 * through none (a job of a deleted task, a script no task runs), it is seen by admins only.
 */
export type Audience =
  | { readonly kind: 'organization' }
  | { readonly kind: 'tasks'; readonly acls: readonly (readonly string[])[] }

/** The object a route acts on, as the service that owns it answered it. */
export interface Target {
  /** Its kind, as a 404 names it: `task`, `job`, `script`. */
  readonly what: string
  readonly id: string
  readonly customer: string
  readonly audience: Audience
}

/** Every member of an organization sees the object. */
export const ORGANIZATION: Audience = { kind: 'organization' }

/** The audience of an object reached through these tasks' `acls`. */
export function throughTasks(tasks: readonly { definition?: { acls: readonly string[] } }[]): Audience {
  return { kind: 'tasks', acls: tasks.map((task) => task.definition?.acls ?? []) }
}

/** Whether the caller sees an object of its organization with this audience. Admins (and root) see all. */
export function sees(caller: Pick<Caller, 'role' | 'name' | 'tags'>, audience: Audience): boolean {
  if (caller.role === 'admin' || audience.kind === 'organization') return true
  return audience.acls.some((acls) => canSee(caller, acls))
}

/**
 * The gateway's one authorization decision (decision 16): may `caller` do what needs `need` in the
 * organization `customer`, on `object` when the route acts on one? Returns when it may; otherwise
 * throws what the caller is told:
 *
 * - a route for the operator and a caller without the root token: 403;
 * - a token of another organization: 404, as for an organization that does not exist;
 * - a role below `need`: 403 (decided before any object is read, so it tells nothing of one);
 * - an object the caller does not see (another organization's, or hidden by the acls it is
 *   reached through): 404, the same answer as for an object that does not exist.
 *
 * The root token acts as an admin of any organization (the authenticator checked that it exists).
 * A route that acts on an object calls this once before reading it (role and organization) and
 * once with it.
 *
 * @example
 * authorize(caller, 'acme', 'user', { what: 'job', id, customer: job.customer, audience })
 */
export function authorize(caller: Caller, customer: string, need: Need, object?: Target): void {
  if (need === 'root') {
    if (caller.kind !== 'root') throw forbidden('only the root token may do this')
    return
  }
  if (caller.kind !== 'root' && caller.customer !== customer) throw notFound('customer', customer)
  if (!hasRole(caller.role, need))
    throw forbidden(`this action needs the ${need} role; the token has ${caller.role}`)
  if (object !== undefined && (object.customer !== customer || !sees(caller, object.audience)))
    throw notFound(object.what, object.id)
}

/**
 * What a caller reads of a task's env: its values are for admins (and root) only; others read the
 * names, each with `****` (decision 18). Secret variables are read by no one.
 */
export function envValuesFor(caller: Pick<Caller, 'role'>): 'shown' | 'masked' {
  return caller.role === 'admin' ? 'shown' : 'masked'
}
