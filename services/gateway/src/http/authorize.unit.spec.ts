import type { Role } from '@taskforge/model'
import { describe, expect, it } from 'vitest'
import type { Caller } from '../accounts/accounts.js'
import { type Audience, authorize, ORGANIZATION, type Target, throughTasks } from './authorize.js'

const member = (role: Role, tags: string[] = [], customer = 'acme'): Caller => ({
  kind: 'token',
  customer,
  role,
  name: `a ${role}`,
  tags,
})
const root: Caller = { kind: 'root', role: 'admin', name: 'root', tags: [] }

const task = (acls: string[]) => ({ definition: { acls } })
const target = (audience: Audience, customer = 'acme'): Target => ({
  what: 'job',
  id: 'j1',
  customer,
  audience,
})
const restricted = target(throughTasks([task(['team:ops'])]))

/** The status the decision answers: 200 when it allows. */
function status(...args: Parameters<typeof authorize>): number {
  try {
    authorize(...args)
    return 200
  } catch (error) {
    return (error as { httpStatus: number }).httpStatus
  }
}

describe('authorize', () => {
  it('refuses a role below the need with 403, before looking at any object', () => {
    expect(status(member('viewer'), 'acme', 'user')).toBe(403)
    expect(status(member('viewer'), 'acme', 'user', restricted)).toBe(403)
    expect(status(member('user'), 'acme', 'admin', restricted)).toBe(403)
    expect(status(member('user'), 'acme', 'user')).toBe(200)
  })

  it("answers another organization's token 404, whatever its role", () => {
    expect(status(member('admin', [], 'globex'), 'acme', 'viewer')).toBe(404)
    expect(status(member('viewer', [], 'globex'), 'acme', 'admin')).toBe(404)
  })

  it('hides an object the acls do not show with 404, the answer for a missing one', () => {
    expect(status(member('user', ['team:dev']), 'acme', 'user', restricted)).toBe(404)
    expect(status(member('viewer', ['team:ops']), 'acme', 'viewer', restricted)).toBe(200)
    expect(status(member('admin'), 'acme', 'admin', restricted)).toBe(200)
  })

  it('shows an object reached through several tasks when one of them shows it', () => {
    const script = target(throughTasks([task(['team:ops']), task(['team:dev'])]))
    expect(status(member('viewer', ['team:dev']), 'acme', 'viewer', script)).toBe(200)
    expect(status(member('viewer', ['team:qa']), 'acme', 'viewer', script)).toBe(404)
    expect(status(member('viewer'), 'acme', 'viewer', target(throughTasks([task([])])))).toBe(200)
  })

  it('keeps an object reached through no task for admins', () => {
    const orphan = target(throughTasks([]))
    expect(status(member('user', ['team:ops']), 'acme', 'user', orphan)).toBe(404)
    expect(status(member('admin'), 'acme', 'admin', orphan)).toBe(200)
  })

  it('shows what belongs to the organization to every member with the role', () => {
    expect(status(member('viewer'), 'acme', 'viewer', target(ORGANIZATION))).toBe(200)
  })

  it('never shows an object of another organization, even one the path led to', () => {
    expect(status(member('admin'), 'acme', 'admin', target(ORGANIZATION, 'globex'))).toBe(404)
    expect(status(root, 'acme', 'admin', target(ORGANIZATION, 'globex'))).toBe(404)
  })

  it('lets the root token act as an admin anywhere, and only it reach the operator routes', () => {
    expect(status(root, 'acme', 'admin', restricted)).toBe(200)
    expect(status(root, '', 'root')).toBe(200)
    expect(status(member('admin'), 'acme', 'root')).toBe(403)
  })
})
