import { readRepoFile } from './shapes.js'

interface Rule {
  pattern: string
  exclude: boolean
  regex: RegExp
}

function toRegex(pattern: string): RegExp {
  let source = ''
  for (let i = 0; i < pattern.length; i += 1) {
    const char = pattern[i]!
    if (char === '*' && pattern[i + 1] === '*') {
      const slash = pattern[i + 2] === '/'
      source += slash ? '(?:.*/)?' : '.*'
      i += slash ? 2 : 1
    } else if (char === '*') source += '[^/]*'
    else if (char === '?') source += '[^/]'
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${source}$`)
}

/** The rules of .dockerignore, in order. */
export function dockerignoreRules(source = readRepoFile('.dockerignore')): Rule[] {
  return source
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const exclude = !line.startsWith('!')
      const pattern = (exclude ? line : line.slice(1)).replace(/^\/+/, '').replace(/\/+$/, '')
      return { pattern, exclude, regex: toRegex(pattern) }
    })
}

/**
 * Whether the build context leaves `path` (relative to the repository root) out: a rule matches the
 * path or one of its parent directories, and the last matching rule wins.
 */
export function isIgnored(rules: readonly Rule[], path: string): boolean {
  const parts = path.split('/')
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'))
  let ignored = false
  for (const rule of rules) {
    if (candidates.some((candidate) => rule.regex.test(candidate))) ignored = rule.exclude
  }
  return ignored
}
