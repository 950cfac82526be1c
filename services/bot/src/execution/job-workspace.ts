import { chmod, mkdir, rm, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'

export interface JobWorkspace {
  /** The job's own directory (0700): the script's cwd, removed after the job. */
  dir: string
  tmpDir: string
  scriptPath: string
}

/** A file name that stays inside the job directory whatever the task called its script. */
export function safeScriptName(filename: string): string {
  const name = basename(filename.replaceAll('\\', '/')).replace(/[^\w.+@-]/g, '_')
  return name === '' || name === '.' || name === '..' ? 'script' : name
}

/**
 * Creates a fresh directory for one job under `root` and writes its script (0755) there. A
 * directory left by an earlier run of the same job is replaced, never reused.
 */
export async function createJobWorkspace(
  root: string,
  key: string,
  script: { filename: string; content: Uint8Array },
): Promise<JobWorkspace> {
  const dir = join(root, key)
  await rm(dir, { recursive: true, force: true })
  await mkdir(dir, { recursive: true, mode: 0o700 })
  // mkdir's mode is filtered by the umask; the job directory must not be readable by others.
  await chmod(dir, 0o700)
  const tmpDir = join(dir, 'tmp')
  await mkdir(tmpDir, { mode: 0o700 })
  const scriptPath = join(dir, safeScriptName(script.filename))
  await writeFile(scriptPath, script.content, { mode: 0o755 })
  await chmod(scriptPath, 0o755)
  return { dir, tmpDir, scriptPath }
}

export async function removeJobWorkspace(workspace: JobWorkspace): Promise<void> {
  await rm(workspace.dir, { recursive: true, force: true, maxRetries: 3 })
}
