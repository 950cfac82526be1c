import { spawnSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openApiDocument } from '../../services/gateway/src/http/openapi-document.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '../..')

// The document the gateway serves, built by the same code without a platform behind it.
describe('the OpenAPI document', () => {
  let document: Record<string, unknown>
  let dir: string

  beforeAll(async () => {
    document = await openApiDocument('https://taskforge.test')
    dir = await mkdtemp(join(tmpdir(), 'openapi-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it("passes Redocly's recommended rules with no error and no warning", async () => {
    const file = join(dir, 'openapi.json')
    await writeFile(file, JSON.stringify(document, null, 2))
    const lint = spawnSync(
      join(root, 'node_modules/.bin/redocly'),
      [
        'lint',
        file,
        '--config',
        join(root, 'redocly.yaml'),
        '--max-problems',
        '200',
        '--format',
        'codeframe',
      ],
      {
        cwd: root,
        encoding: 'utf8',
        env: {
          ...process.env,
          REDOCLY_TELEMETRY: 'off',
          REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
          NO_COLOR: '1',
        },
      },
    )
    const output = `${lint.stdout}\n${lint.stderr}`
    expect(lint.status, output).toBe(0)
    expect(output, output).toMatch(/Your API description is valid/)
    expect(output, output).not.toMatch(/You have \d+ warnings?/)
  })

  it('names every operation, each once', () => {
    const paths = document.paths as Record<string, Record<string, { operationId?: string }>>
    const ids = Object.entries(paths).flatMap(([path, operations]) =>
      Object.entries(operations).map(([method, operation]) => operation.operationId ?? `${method} ${path}`),
    )
    expect(ids.filter((id) => !/^[a-z][A-Za-z]+$/.test(id))).toEqual([])
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids).toEqual(expect.arrayContaining(['runTask', 'listJobs', 'getJob', 'getJobLog', 'createTask']))
  })

  it('lists the configured public URL as its server', () => {
    expect(document.servers).toEqual([{ url: 'https://taskforge.test' }])
  })
})
