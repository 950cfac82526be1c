import { checkSize, Limits, validationFailed } from '@taskforge/core'

/** A script as a body carries it: text in `content`, or bytes as base64 in `data`. */
export interface ScriptBody {
  filename?: string
  description?: string
  content?: string
  data?: string
}

/**
 * The script's bytes, or undefined when the body carries neither `content` nor `data`; held to the
 * script size limit as bytes (what base64 decodes to).
 */
export function scriptContent(body: ScriptBody): Buffer | undefined {
  if (typeof body.content === 'string') return held(Buffer.from(body.content, 'utf8'), 'content')
  if (typeof body.data === 'string') {
    const data = body.data.replace(/\s+/g, '')
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(data))
      throw validationFailed('data must be base64', { field: 'data' })
    return held(Buffer.from(data, data.includes('-') || data.includes('_') ? 'base64url' : 'base64'), 'data')
  }
  return undefined
}

function held(content: Buffer, field: string): Buffer {
  checkSize(Limits.scriptContent, field, content)
  return content
}

/** The script's bytes; a script needs some. */
export function requiredScriptContent(body: ScriptBody): Buffer {
  const content = scriptContent(body)
  if (content === undefined) {
    throw validationFailed('a script needs content (text) or data (base64)', { field: 'content' })
  }
  return content
}

/** Script bytes as the API shows them: text when they are UTF-8, else base64 in `data`. */
export function contentView(bytes: Uint8Array): { content: string } | { data: string } {
  const buffer = Buffer.from(bytes)
  const text = buffer.toString('utf8')
  return Buffer.from(text, 'utf8').equals(buffer) ? { content: text } : { data: buffer.toString('base64') }
}
