// Writes the gateway's OpenAPI document to clients/sdk/openapi.json and the SDK's types generated
// from it to src/gen/api.ts. Run it after changing a route (`pnpm --filter @taskforge/sdk openapi`);
// test/clients/sdk-generated.unit.spec.ts fails while either file is stale.
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generatedFiles } from './generated-files.js'

const sdk = join(dirname(fileURLToPath(import.meta.url)), '..')
for (const [path, text] of Object.entries(await generatedFiles())) {
  await mkdir(dirname(join(sdk, path)), { recursive: true })
  await writeFile(join(sdk, path), text)
  console.log(`wrote clients/sdk/${path}`)
}
