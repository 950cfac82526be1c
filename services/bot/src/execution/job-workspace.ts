import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { rm, rmdir, unlink } from 'node:fs/promises'
import { basename, join } from 'node:path'

export interface JobWorkspace {
  /** The job's own directory (0700): the script's cwd and TMPDIR, removed after the job. */
  dir: string
  scriptPath: string
}

/** A file name that stays inside the job directory whatever the task called its script. */
export function safeScriptName(filename: string): string {
  const name = basename(filename.replaceAll('\\', '/')).replace(/[^\w.+@-]/g, '_')
  return name === '' || name === '.' || name === '..' ? 'script' : name
}

const errorCode = (error: unknown) => (error as NodeJS.ErrnoException).code

// A workspace is made with synchronous calls (a mkdir, a small write, a chmod): it is on the
// job's way to its start, and each call takes less than its trip through libuv's thread pool and
// back would cost. Removing one comes after the job's report, and freeing a directory can be slow
// (a file system mounted with `discard`): it goes through the thread pool, off the event loop.

/**
 * Makes `dir` (0700; the umask can only take bits away, so it is never readable by others). A
 * directory left by an earlier run of the same job is replaced, never reused; `root` is made when
 * missing. The usual case is one `mkdir`.
 */
async function freshDirectory(root: string, dir: string): Promise<void> {
  try {
    mkdirSync(dir, { mode: 0o700 })
  } catch (error) {
    if (errorCode(error) === 'EEXIST') await rm(dir, { recursive: true, force: true })
    else if (errorCode(error) === 'ENOENT') mkdirSync(root, { recursive: true, mode: 0o700 })
    else throw error
    mkdirSync(dir, { mode: 0o700 })
  }
}

/** Creates a fresh directory for one job under `root` and writes its script (0755) there. */
export async function createJobWorkspace(
  root: string,
  key: string,
  script: { filename: string; content: Uint8Array },
): Promise<JobWorkspace> {
  const dir = join(root, key)
  await freshDirectory(root, dir)
  const scriptPath = join(dir, safeScriptName(script.filename))
  writeFileSync(scriptPath, script.content, { mode: 0o755, flag: 'wx' })
  // The umask may have taken the execute bit away: the script must run whatever it is.
  chmodSync(scriptPath, 0o755)
  return { dir, scriptPath }
}

/**
 * Removes the job's directory. A script that left nothing behind costs two calls; anything else
 * (files it wrote, a script that removed itself) is swept recursively.
 */
export async function removeJobWorkspace(workspace: JobWorkspace): Promise<void> {
  try {
    await unlink(workspace.scriptPath)
    await rmdir(workspace.dir)
  } catch {
    await rm(workspace.dir, { recursive: true, force: true, maxRetries: 3 })
  }
}
