import { type FileHandle, mkdir, open, readFile, rename } from 'node:fs/promises'
import { join } from 'node:path'

/** What the bot remembers of a job it started, across its own restarts. */
export interface JournalEntry {
  jobId: string
  attempt: number
  startedAt: string
  finished: boolean
}

// Journals written by earlier versions may also hold `pid` lines: they are passed over.
type Line =
  | { op: 'started'; job: string; attempt: number; at: string }
  | { op: 'finished'; job: string }
  | { op: 'canceled'; job: string; attempt: number; at: string }

const FILE = 'journal.jsonl'

function parseLine(text: string): Line | undefined {
  try {
    const line = JSON.parse(text) as Partial<Line> & { job?: unknown }
    return typeof line.job === 'string' ? (line as Line) : undefined
  } catch {
    // A line cut short by a crash mid-write: everything before it is intact.
    return undefined
  }
}

/**
 * Drops the oldest finished entries (in the order their jobs started) while more than `keep` are
 * finished; answers how many finished ones are left.
 */
function dropOldestFinished(entries: Map<string, JournalEntry>, finished: number, keep: number): number {
  for (const entry of entries.values()) {
    if (finished <= keep) break
    if (!entry.finished) continue
    entries.delete(entry.jobId)
    finished -= 1
  }
  return finished
}

/**
 * An append-only record, on disk, of the jobs this bot started and finished. It is what makes a run
 * happen at most once per bot: a dispatch redelivered after a crash finds its job here and is not
 * run again, and a job the bot was running when it died is reported as failed on the next start.
 *
 * Only the lines that keep a job from running are synced: `started`, before the script runs, and
 * `canceled`. A `finished` line is written, not synced: if a crash loses it, the next start reports
 * the job lost once more, under the report id of its finished report, and the scheduler passes
 * over a report of a job that has ended.
 *
 * Writes are group-committed: lines recorded while a write (and its sync) is under way go to the
 * file together in the next one, so concurrent jobs share a write and a sync instead of queueing
 * one each; that write is synced if any of its lines must be. Every record resolves once its line
 * is written (and synced, if it must be), and lines keep their order.
 */
export class Journal {
  private writes: Promise<void> = Promise.resolve()
  /** The lines waiting for the next write, whether it must be synced, and its completion. */
  private next: { lines: string[]; sync: boolean; written: Promise<void> } | undefined

  private constructor(
    private readonly entries: Map<string, JournalEntry>,
    /** How many of `entries` are finished. */
    private finishedCount: number,
    private readonly keepFinished: number,
    private readonly handle: FileHandle,
  ) {}

  /**
   * Opens (or creates) the journal in `dir`, keeping every unfinished job and the `keepFinished`
   * most recent finished ones: enough to recognise any redelivery, bounded in size. The same bound
   * holds in memory while the bot runs; the file is compacted to it at the next opening.
   */
  static async open(dir: string, options: { keepFinished?: number } = {}): Promise<Journal> {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    const path = join(dir, FILE)
    const entries = new Map<string, JournalEntry>()
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return ''
      throw error
    })
    for (const raw of text.split('\n')) {
      if (raw.trim() === '') continue
      const line = parseLine(raw)
      if (line === undefined) continue
      if (line.op === 'started') {
        entries.delete(line.job)
        entries.set(line.job, { jobId: line.job, attempt: line.attempt, startedAt: line.at, finished: false })
      } else if (line.op === 'canceled') {
        entries.delete(line.job)
        entries.set(line.job, { jobId: line.job, attempt: line.attempt, startedAt: line.at, finished: true })
      } else if (line.op === 'finished') {
        const entry = entries.get(line.job)
        if (entry !== undefined) entry.finished = true
      }
    }
    const keep = options.keepFinished ?? 1000
    const finished = dropOldestFinished(
      entries,
      [...entries.values()].filter((entry) => entry.finished).length,
      keep,
    )

    const compacted = [...entries.values()].flatMap((entry) => [
      JSON.stringify({ op: 'started', job: entry.jobId, attempt: entry.attempt, at: entry.startedAt }),
      ...(entry.finished ? [JSON.stringify({ op: 'finished', job: entry.jobId })] : []),
    ])
    const tmp = `${path}.tmp`
    const tmpHandle = await open(tmp, 'w', 0o600)
    try {
      await tmpHandle.writeFile(compacted.map((line) => `${line}\n`).join(''))
      await tmpHandle.sync()
    } finally {
      await tmpHandle.close()
    }
    await rename(tmp, path)
    const dirHandle = await open(dir, 'r')
    await dirHandle.sync().finally(() => dirHandle.close())
    return new Journal(entries, finished, keep, await open(path, 'a', 0o600))
  }

  get(jobId: string): JournalEntry | undefined {
    return this.entries.get(jobId)
  }

  /** Jobs started but never reported finished: the bot stopped while they ran. */
  unfinished(): JournalEntry[] {
    return [...this.entries.values()].filter((entry) => !entry.finished)
  }

  /** Records that the job is about to run; resolves once it is on disk. */
  recordStarted(jobId: string, attempt: number, now: Date = new Date()): Promise<void> {
    const entry: JournalEntry = { jobId, attempt, startedAt: now.toISOString(), finished: false }
    this.put(entry)
    return this.append({ op: 'started', job: jobId, attempt, at: entry.startedAt }, true)
  }

  /**
   * Records that a job this bot never started was canceled: a dispatch of it arriving later is
   * recognised as done and never run. Resolves once it is on disk.
   */
  recordCanceled(jobId: string, attempt: number, now: Date = new Date()): Promise<void> {
    const entry: JournalEntry = { jobId, attempt, startedAt: now.toISOString(), finished: true }
    this.put(entry)
    return this.append({ op: 'canceled', job: jobId, attempt, at: entry.startedAt }, true)
  }

  /** Records that the job's finished report was acknowledged; resolves once written (not synced). */
  recordFinished(jobId: string): Promise<void> {
    const entry = this.entries.get(jobId)
    if (entry !== undefined && !entry.finished) {
      entry.finished = true
      this.finishedCount += 1
      this.trim()
    }
    return this.append({ op: 'finished', job: jobId }, false)
  }

  /** Records `entry` as the newest, in place of any earlier entry of its job. */
  private put(entry: JournalEntry): void {
    if (this.entries.get(entry.jobId)?.finished) this.finishedCount -= 1
    this.entries.delete(entry.jobId)
    this.entries.set(entry.jobId, entry)
    if (entry.finished) {
      this.finishedCount += 1
      this.trim()
    }
  }

  private trim(): void {
    this.finishedCount = dropOldestFinished(this.entries, this.finishedCount, this.keepFinished)
  }

  async close(): Promise<void> {
    await this.writes.catch(() => {})
    await this.handle.close()
  }

  private append(line: Line, sync: boolean): Promise<void> {
    if (this.next === undefined) {
      const next: NonNullable<Journal['next']> = { lines: [], sync: false, written: Promise.resolve() }
      next.written = this.writes.then(async () => {
        // From here on, new lines wait for the write after this one.
        this.next = undefined
        await this.handle.write(next.lines.join(''))
        if (next.sync) await this.handle.datasync()
      })
      this.next = next
      this.writes = next.written.catch(() => {})
    }
    this.next.lines.push(`${JSON.stringify(line)}\n`)
    this.next.sync ||= sync
    return this.next.written
  }
}
