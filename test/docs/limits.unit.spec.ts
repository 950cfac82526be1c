import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { LIMIT_TABLE } from '@taskforge/core'
import { describe, expect, it } from 'vitest'
import { LIMITS_DOC, limitsDoc } from '../../scripts/limits-doc.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

describe(LIMITS_DOC, () => {
  it('is what the table of limits in the code generates (run `npm run docs:limits` after changing it)', () => {
    expect(readFileSync(join(ROOT, LIMITS_DOC), 'utf8')).toBe(limitsDoc())
  })

  it('has a row for every limit, and the README points to it', () => {
    const doc = limitsDoc()
    for (const limit of LIMIT_TABLE)
      expect(doc).toMatch(new RegExp(`^\\| ${limit.name} \\(\`${limit.key}\`\\)`, 'm'))
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(`(${LIMITS_DOC})`)
  })
})
