import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

/**
 * The Tasks API documentation: the product's own copy beside the repository when it is there (the
 * source of truth), else the copy kept with these tests so a fresh clone can run them.
 */
export const SEED_PATHS = {
  shared: join(ROOT, '..', 'shared', 'seeds', 'tasks-api.md'),
  // Not .md: the formatter would rewrite it, and it must stay byte for byte the documentation.
  vendored: join(ROOT, 'test', 'e2e', 'seeds', 'tasks-api.md.txt'),
}

export async function readSeed(): Promise<string> {
  return readFile(existsSync(SEED_PATHS.shared) ? SEED_PATHS.shared : SEED_PATHS.vendored, 'utf8')
}

/** A fenced code block of the documentation, with the number of the example it belongs to. */
export interface SeedBlock {
  example: number
  language: string
  code: string
}

/** Every fenced block, numbered by the nearest `Ejemplo N` / `Example N` heading above it. */
export function codeBlocks(markdown: string): SeedBlock[] {
  const blocks: SeedBlock[] = []
  let example = 0
  const lines = markdown.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ''
    const heading = /^#+\s.*\b(?:Ejemplo|Example)\s+(\d+)/i.exec(line)
    if (heading) example = Number(heading[1])
    const fence = /^```(\w*)\s*$/.exec(line)
    if (!fence) continue
    const code: string[] = []
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i] ?? ''); i++) code.push(lines[i] ?? '')
    blocks.push({ example, language: fence[1] ?? '', code: code.join('\n') })
  }
  return blocks
}

/** The documentation's API host, which users replace with their own. */
export const DOCUMENTED_HOST = /https?:\/\/supervisor\.theeye\.io/g

/**
 * Example 5's approval form as a browser submits it: its fields in order, with the template's
 * variables (`customerName`, `taskId`) given, and the form's own fixed values.
 */
export async function approvalForm(values: { customer: string; task: string }): Promise<[string, string][]> {
  const html = codeBlocks(await readSeed()).find((block) => block.language === 'html' && block.example === 5)
  if (html === undefined) throw new Error('the documentation has no HTML block for example 5')
  if (!html.code.includes('/job/secret/')) throw new Error('example 5 no longer posts to /job/secret/')
  return [
    ...html.code.matchAll(/name="([^"]+)" value="' \+ (\w+) \+ '"|name="([^"]+)" value="([^"]*)"/g),
  ].map((m): [string, string] => [
    m[1] ?? m[3] ?? '',
    m[2] === 'customerName' ? values.customer : m[2] === 'taskId' ? values.task : (m[4] ?? ''),
  ])
}
