import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse, parseAllDocuments } from 'yaml'

/** The repository root, from this file's place in it. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))

export function repoPath(...parts: string[]): string {
  return join(REPO_ROOT, ...parts)
}

export function readRepoFile(...parts: string[]): string {
  return readFileSync(repoPath(...parts), 'utf8')
}

export type Json = Record<string, unknown>

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The value as an object, or a failure naming where it was expected. */
export function record(value: unknown, where: string): Json {
  if (!isRecord(value)) throw new Error(`${where}: expected a mapping, got ${JSON.stringify(value)}`)
  return value
}

export function list(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${where}: expected a list, got ${JSON.stringify(value)}`)
  return value
}

export function text(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new Error(`${where}: expected a string, got ${JSON.stringify(value)}`)
  return value
}

/** Follows `path` (dot separated) through nested mappings; undefined when a key is missing. */
export function lookupPath(root: unknown, path: readonly string[]): { found: boolean; value: unknown } {
  let current: unknown = root
  for (const key of path) {
    if (!isRecord(current) || !Object.hasOwn(current, key)) return { found: false, value: undefined }
    current = current[key]
  }
  return { found: true, value: current }
}

/** YAML with `<<` merge keys resolved, as Compose reads it. */
export function parseYaml(source: string): unknown {
  return parse(source, { merge: true })
}

/** Every document of a multi-document YAML stream (empty documents left out). */
export function parseYamlStream(source: string): unknown[] {
  return parseAllDocuments(source)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(document.errors.map((e) => e.message).join('\n'))
      return document.toJS() as unknown
    })
    .filter((document) => document !== null && document !== undefined)
}

/** `task-catalog` -> `taskCatalog`: the chart's values key of a component. */
export function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_match, letter: string) => letter.toUpperCase())
}
