import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { generatedFiles } from '../../clients/sdk/scripts/generated-files.js'

const sdk = join(dirname(fileURLToPath(import.meta.url)), '../../clients/sdk')

// The SDK's committed document and types are what the gateway's routes make now.
describe('@taskforge/sdk', () => {
  it('is generated from the current OpenAPI document (else: pnpm --filter @taskforge/sdk openapi)', async () => {
    for (const [path, text] of Object.entries(await generatedFiles())) {
      const committed = await readFile(join(sdk, path), 'utf8').catch(() => '')
      expect(committed === text, `clients/sdk/${path} is stale: pnpm --filter @taskforge/sdk openapi`).toBe(
        true,
      )
    }
  })
})
