import { describe, expect, it } from 'vitest'
import { canSee, mayDecide } from './acl.js'
import type { Role } from './roles.js'

const caller = (role: Role, name = 'someone', tags: string[] = []) => ({ role, name, tags })

describe('task acls', () => {
  it('hide nothing from admins, and an empty list hides nothing from anyone', () => {
    expect(canSee(caller('admin'), ['nobody'])).toBe(true)
    expect(canSee(caller('viewer'), [])).toBe(true)
  })

  it('show a task to the tokens, tags and roles they list', () => {
    const acls = ['alice', 'team:ops', 'user']
    expect(canSee(caller('viewer', 'alice'), acls)).toBe(true)
    expect(canSee(caller('viewer', 'tim', ['team:ops']), acls)).toBe(true)
    expect(canSee(caller('user', 'bob'), acls)).toBe(true)
    expect(canSee(caller('viewer', 'vera', ['team:dev']), acls)).toBe(false)
  })

  it('read a listed role as that role and above', () => {
    expect(canSee(caller('user'), ['viewer'])).toBe(true)
    expect(canSee(caller('viewer'), ['user'])).toBe(false)
    expect(canSee(caller('user'), ['admin'])).toBe(false)
  })

  it('ignore blank entries and surrounding spaces', () => {
    expect(canSee(caller('viewer', 'vera'), [' ', ''])).toBe(false)
    expect(canSee(caller('viewer', 'vera'), [' vera '])).toBe(true)
  })
})

describe('approvers of a workflow step', () => {
  it('match as acls do: a name, a tag, a role at least; admins always', () => {
    const approvers = ['alice', 'team:ops', 'admin']
    expect(mayDecide(caller('viewer', 'alice'), approvers)).toBe(true)
    expect(mayDecide(caller('viewer', 'tim', ['team:ops']), approvers)).toBe(true)
    expect(mayDecide(caller('user', 'bob'), approvers)).toBe(false)
    expect(mayDecide(caller('admin', 'root'), ['alice'])).toBe(true)
  })

  it('an empty list is whoever may run the workflow: the user role at least', () => {
    expect(mayDecide(caller('viewer', 'vera'), [])).toBe(false)
    expect(mayDecide(caller('user', 'bob'), [])).toBe(true)
  })
})
