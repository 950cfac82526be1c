import openapiTS, { astToString } from 'openapi-typescript'
import { openApiDocument } from '../../../services/gateway/src/http/openapi-document.js'

/** The server the committed document names: `npm start`'s gateway. A client passes its own URL. */
export const DEFAULT_SERVER = 'http://127.0.0.1:8080'

const HEADER = '// Generated from openapi.json by scripts/generate.ts (openapi-typescript): never edit.\n\n'

/** What `generate.ts` writes, by path inside clients/sdk: the document and the types made from it. */
export async function generatedFiles(): Promise<Record<string, string>> {
  const document = await openApiDocument(DEFAULT_SERVER)
  const json = `${JSON.stringify(document, null, 2)}\n`
  const ast = await openapiTS(JSON.parse(json), { alphabetize: false, exportType: true })
  return { 'openapi.json': json, 'src/gen/api.ts': HEADER + astToString(ast) }
}
