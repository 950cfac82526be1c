import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** An executable named `name`: `explicit` when set, else on PATH, else in the usual system directories. */
export function findExecutable(name: string, explicit?: string): string | undefined {
  if (explicit !== undefined && explicit !== '') return executable(explicit) ? explicit : undefined
  const onPath = (process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '')
  const dirs = [...onPath, '/usr/local/bin', '/usr/bin', '/usr/sbin', '/usr/local/sbin']
  return dirs.map((dir) => join(dir, name)).find(executable)
}
