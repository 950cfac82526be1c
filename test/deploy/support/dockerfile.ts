import { readRepoFile } from './shapes.js'

export interface Instruction {
  keyword: string
  args: string
}

export interface Stage {
  name: string | undefined
  /** Image or earlier stage it starts from. */
  from: string
  instructions: Instruction[]
}

export interface Dockerfile {
  globalArgs: Instruction[]
  stages: Stage[]
}

/** Instructions with continuation lines joined and comments left out. */
function instructions(source: string): Instruction[] {
  const result: Instruction[] = []
  let pending = ''
  for (const line of source.split('\n')) {
    const trimmed = line.trim()
    if (trimmed.startsWith('#') || (trimmed === '' && pending === '')) continue
    if (trimmed.endsWith('\\')) {
      pending += `${trimmed.slice(0, -1)} `
      continue
    }
    const full = `${pending}${trimmed}`.trim()
    pending = ''
    if (full === '') continue
    const keyword = full.split(/\s+/, 1)[0] ?? ''
    result.push({ keyword: keyword.toUpperCase(), args: full.slice(keyword.length).trim() })
  }
  return result
}

export function parseDockerfile(source = readRepoFile('deploy/docker/Dockerfile')): Dockerfile {
  const parsed: Dockerfile = { globalArgs: [], stages: [] }
  for (const instruction of instructions(source)) {
    if (instruction.keyword === 'FROM') {
      const match = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args)
      if (match === null) throw new Error(`FROM ${instruction.args}: not understood`)
      parsed.stages.push({ from: match[1]!, name: match[2], instructions: [] })
    } else if (parsed.stages.length === 0) {
      if (instruction.keyword === 'ARG') parsed.globalArgs.push(instruction)
    } else {
      parsed.stages.at(-1)!.instructions.push(instruction)
    }
  }
  return parsed
}

export function stageNamed(dockerfile: Dockerfile, name: string): Stage | undefined {
  return dockerfile.stages.find((stage) => stage.name === name)
}

/** The stage and the stages it is built on, base first. */
export function lineage(dockerfile: Dockerfile, stage: Stage): Stage[] {
  const parent = stageNamed(dockerfile, stage.from)
  return parent === undefined ? [stage] : [...lineage(dockerfile, parent), stage]
}

/** Splits on whitespace outside quotes and removes the quotes. */
function words(args: string): string[] {
  return [...args.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)].map(
    (match) => match[1] ?? match[2] ?? match[3] ?? '',
  )
}

/** ENV of a stage, inherited ones included. */
export function envOf(dockerfile: Dockerfile, stage: Stage): Map<string, string> {
  const env = new Map<string, string>()
  for (const ancestor of lineage(dockerfile, stage)) {
    for (const instruction of ancestor.instructions.filter((i) => i.keyword === 'ENV')) {
      const parts = words(instruction.args)
      if (parts.length > 0 && parts.every((part) => part.includes('='))) {
        for (const part of parts) {
          const at = part.indexOf('=')
          env.set(part.slice(0, at), part.slice(at + 1))
        }
      } else if (parts.length >= 1) {
        env.set(parts[0]!, parts.slice(1).join(' '))
      }
    }
  }
  return env
}

/** The instruction in effect for a stage (the last one, inherited when the stage has none). */
export function effectiveInstruction(
  dockerfile: Dockerfile,
  stage: Stage,
  keyword: string,
): Instruction | undefined {
  for (const ancestor of lineage(dockerfile, stage).reverse()) {
    const found = ancestor.instructions.filter((i) => i.keyword === keyword).at(-1)
    if (found !== undefined) return found
  }
  return undefined
}

/** Exposed ports of a stage, inherited ones included. */
export function exposedPorts(dockerfile: Dockerfile, stage: Stage): string[] {
  return lineage(dockerfile, stage).flatMap((ancestor) =>
    ancestor.instructions.filter((i) => i.keyword === 'EXPOSE').flatMap((i) => words(i.args)),
  )
}

/** The exec form (JSON array) of CMD, ENTRYPOINT or a HEALTHCHECK's CMD. */
export function execForm(args: string): string[] {
  const json = args.slice(args.indexOf('['))
  const parsed: unknown = JSON.parse(json)
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string')) {
    throw new Error(`not an exec form: ${args}`)
  }
  return parsed
}
