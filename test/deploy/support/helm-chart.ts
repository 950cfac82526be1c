import { execFileSync } from 'node:child_process'
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { parseYaml, parseYamlStream, repoPath } from './shapes.js'

export const CHART_DIR = repoPath('deploy/helm/taskforge')

export interface TemplateFile {
  name: string
  source: string
}

export function templateFiles(): TemplateFile[] {
  const dir = join(CHART_DIR, 'templates')
  return readdirSync(dir)
    .filter((name) => /\.(ya?ml|tpl|txt)$/.test(name))
    .sort()
    .map((name) => ({ name, source: readFileSync(join(dir, name), 'utf8') }))
}

export function chartValues(): unknown {
  return parseYaml(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8'))
}

interface Action {
  start: number
  end: number
  body: string
}

/** The `{{ ... }}` actions of a template, trim markers and comments removed. */
function actions(source: string): Action[] {
  return [...source.matchAll(/\{\{-?\s*([\s\S]*?)\s*-?\}\}/g)]
    .map((match) => ({ start: match.index, end: match.index + match[0].length, body: match[1] ?? '' }))
    .filter((action) => !action.body.startsWith('/*'))
}

/** The text of `{{ define "name" }}`, up to its matching `{{ end }}`. */
export function defineBody(source: string, name: string): string | undefined {
  const all = actions(source)
  const open = all.findIndex((action) => action.body === `define "${name}"`)
  if (open < 0) return undefined
  let depth = 0
  for (const action of all.slice(open)) {
    if (/^(if|range|with|define|block)\b/.test(action.body)) depth += 1
    else if (action.body === 'end') depth -= 1
    if (depth === 0) return source.slice(all[open]!.end, action.start)
  }
  throw new Error(`define "${name}" is never closed`)
}

/** Every `.Values.a.b` path the template reads, as key lists. */
export function valuesReferences(source: string): string[][] {
  return [...source.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)].map((match) =>
    match[1]!.slice(1).split('.'),
  )
}

/** Variables bound to a part of the values (`$svc := .Values.gateway`) and the paths read through them. */
export function aliasReferences(source: string): { alias: string; base: string[]; path: string[] }[] {
  const bindings = new Map<string, string[]>()
  for (const match of source.matchAll(/(\$[A-Za-z]\w*)\s*:=\s*\.Values((?:\.[A-Za-z_]\w*)+)\s*-?\}\}/g)) {
    bindings.set(match[1]!, match[2]!.slice(1).split('.'))
  }
  const references: { alias: string; base: string[]; path: string[] }[] = []
  for (const [alias, base] of bindings) {
    const escaped = alias.replace('$', '\\$')
    for (const match of source.matchAll(new RegExp(`${escaped}((?:\\.[A-Za-z_]\\w*)+)`, 'g'))) {
      references.push({ alias, base, path: match[1]!.slice(1).split('.') })
    }
  }
  return references
}

/** Paths read through `$svc` in a define that receives a service's values as "svc". */
export function serviceValueReads(body: string): string[][] {
  return [...body.matchAll(/\$svc((?:\.[A-Za-z_]\w*)+)/g)].map((match) => match[1]!.slice(1).split('.'))
}

/** Names in an EnvVar list written as YAML (`- name: X`). */
export function envNames(body: string): string[] {
  return [...body.matchAll(/^\s*- name: ([A-Z][A-Z0-9_]*)\s*$/gm)].map((match) => match[1]!)
}

/** The helm binary: HELM_BIN, else `helm` on the PATH; undefined when there is none. */
export function findHelm(): string | undefined {
  const candidates = [
    process.env.HELM_BIN,
    ...(process.env.PATH ?? '').split(delimiter).map((dir) => (dir === '' ? undefined : join(dir, 'helm'))),
  ]
  for (const candidate of candidates) {
    if (candidate === undefined || candidate === '') continue
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {}
  }
  return undefined
}

/** `helm template` of the chart with extra arguments, as parsed documents. */
export function helmTemplate(helm: string, args: string[]): unknown[] {
  const output = execFileSync(helm, ['template', 'tf', CHART_DIR, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  return parseYamlStream(output)
}

/** The error output of a `helm template` that must fail. */
export function helmTemplateError(helm: string, args: string[]): string {
  try {
    execFileSync(helm, ['template', 'tf', CHART_DIR, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    })
  } catch (error) {
    return String((error as { stderr?: unknown }).stderr ?? error)
  }
  throw new Error(`helm template ${args.join(' ')} succeeded`)
}
