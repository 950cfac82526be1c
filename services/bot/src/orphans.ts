import { readdir, readFile } from 'node:fs/promises'

/**
 * Processes still running a job's script after the bot died (they are in their own process group,
 * so the bot's death did not end them). Found by the `TASKFORGE_JOB_ID` their environment started
 * with, which never matches an unrelated process that reused a pid. Linux only; elsewhere (no
 * /proc) it finds nothing.
 */
export async function findJobProcesses(jobId: string): Promise<number[]> {
  const marker = Buffer.from(`\0TASKFORGE_JOB_ID=${jobId}\0`)
  let names: string[]
  try {
    names = await readdir('/proc')
  } catch {
    return []
  }
  const found: number[] = []
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue
    try {
      const environ = Buffer.concat([Buffer.from([0]), await readFile(`/proc/${name}/environ`)])
      if (environ.includes(marker)) found.push(Number(name))
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found
}

/** SIGKILLs every process still running for the job; answers how many. */
export async function killJobProcesses(jobId: string): Promise<number> {
  const pids = (await findJobProcesses(jobId)).filter((pid) => pid !== process.pid)
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
  return pids.length
}
