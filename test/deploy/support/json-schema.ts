import { createRequire } from 'node:module'
import { repoPath } from './shapes.js'

export interface SchemaError {
  instancePath: string
  message?: string
}

export interface Validate {
  (data: unknown): boolean
  errors?: SchemaError[] | null
}

export interface SchemaValidator {
  validateSchema(schema: unknown): boolean | Promise<unknown>
  compile(schema: unknown): Validate
  errors?: SchemaError[] | null
}

type ValidatorClass = new (options: {
  strict: boolean
  allErrors: boolean
  allowUnionTypes: boolean
}) => SchemaValidator

/**
 * Ajv, as the gateway's fastify installs it (the workspace declares no JSON Schema validator of its
 * own): gateway -> fastify -> @fastify/ajv-compiler -> ajv. Undefined when that chain is gone.
 */
export function loadAjv(): ValidatorClass | undefined {
  try {
    const fastify = createRequire(repoPath('services/gateway/package.json')).resolve('fastify')
    const compiler = createRequire(fastify).resolve('@fastify/ajv-compiler')
    const loaded: unknown = createRequire(compiler)('ajv')
    return typeof loaded === 'function' ? (loaded as ValidatorClass) : undefined
  } catch {
    return undefined
  }
}

export function describeErrors(errors: readonly SchemaError[] | null | undefined): string {
  return (errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`).join('; ')
}
