import { hasRole, isRole, type Role } from './roles.js'

/** Who an acl entry may name: a token by its name, its `key:value` tags, or a role it has at least. */
export interface AclSubject {
  readonly role: Role
  readonly name: string
  readonly tags: readonly string[]
}

/**
 * Whether a caller may see (and, with the user role, run) a task with these `acls`. Admins see every
 * task, and so does everyone when the list is empty. Otherwise an entry must name the caller's token,
 * one of its `key:value` tags, or a role the caller has at least.
 */
export function canSee(caller: AclSubject, acls: readonly string[]): boolean {
  if (caller.role === 'admin' || acls.length === 0) return true
  return acls.some((raw) => {
    const entry = raw.trim()
    if (entry === '') return false
    if (entry === caller.name || caller.tags.includes(entry)) return true
    return isRole(entry) && hasRole(caller.role, entry)
  })
}

/**
 * Whether a caller may decide a workflow step (approve, reject, answer its form) with these
 * `approvers`: the entries match as {@link canSee} matches acls (a token name, a `key:value` tag, a
 * role the caller has at least; admins always). An empty list is whoever may run the workflow: the
 * user role at least. Who started the run is refused elsewhere, whatever matches here.
 */
export function mayDecide(caller: AclSubject, approvers: readonly string[]): boolean {
  if (approvers.length === 0) return hasRole(caller.role, 'user')
  return canSee(caller, approvers)
}
