import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { CONFIGURATION_DOC, configurationDoc } from '../../scripts/config-doc.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** Source files the platform runs (tests, test support and the test kit aside). */
function productionSources(): string[] {
  const files: string[] = []
  const stack = ['packages', 'services'].map((dir) => join(ROOT, dir))
  while (stack.length > 0) {
    const dir = stack.pop() as string
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) {
        if (!['node_modules', 'dist', 'test-support', 'testkit', 'gen'].includes(entry.name)) stack.push(path)
      } else if (entry.name.endsWith('.ts') && !entry.name.includes('.spec.')) {
        files.push(path)
      }
    }
  }
  return files
}

/** Variables read directly (`process.env.X`, `env.X`, `env['X']`), outside the settings objects. */
function variablesReadDirectly(): Map<string, string> {
  const found = new Map<string, string>()
  const pattern = /\benv(?:\.|\[['"])([A-Z][A-Z0-9_]{2,})\b/g
  for (const file of productionSources()) {
    for (const match of readFileSync(file, 'utf8').matchAll(pattern)) {
      found.set(match[1] as string, file.slice(ROOT.length + 1))
    }
  }
  return found
}

describe(CONFIGURATION_DOC, () => {
  it('is what the settings in the code generate (run `npm run docs:config` after changing them)', async () => {
    const current = readFileSync(join(ROOT, CONFIGURATION_DOC), 'utf8')
    expect(current).toBe(await configurationDoc())
  })

  it('documents every variable the code reads outside its settings objects', async () => {
    const doc = await configurationDoc()
    const read = variablesReadDirectly()
    expect(read.size).toBeGreaterThan(3)
    for (const [name, file] of read) expect(doc, `${name} (read in ${file})`).toContain(`\`${name}\``)
    for (const name of ['LOG_LEVEL', 'NATS_STREAM_REPLICAS', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'ROOT_TOKEN']) {
      expect(doc).toMatch(new RegExp(`^\\| \`${name}\` +\\|`, 'm'))
    }
  })
})
