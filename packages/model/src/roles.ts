/** Roles, ordered: a role may do everything the roles before it may. */
export const Roles = ['viewer', 'user', 'admin'] as const
export type Role = (typeof Roles)[number]

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (Roles as readonly string[]).includes(value)
}

/** True when `role` is at least `required`. */
export function hasRole(role: Role, required: Role): boolean {
  return Roles.indexOf(role) >= Roles.indexOf(required)
}
