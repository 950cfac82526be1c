import { chmod, readFile, rename, writeFile } from 'node:fs/promises'

/** Reads a JSON file; undefined when it does not exist. */
export async function readJson<T>(path: string): Promise<T | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  try {
    return JSON.parse(text) as T
  } catch (error) {
    throw new Error(`${path} is not valid JSON (${(error as Error).message}); fix or delete it`)
  }
}

/** Writes a file atomically (temp file then rename) with `mode`, so a crash never leaves half of it. */
export async function writeFileAtomic(path: string, content: string, mode = 0o600): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, content, { mode })
  await chmod(tmp, mode)
  await rename(tmp, path)
}

export function writeJson(path: string, data: unknown, mode = 0o600): Promise<void> {
  return writeFileAtomic(path, `${JSON.stringify(data, null, 2)}\n`, mode)
}

export async function readText(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}
