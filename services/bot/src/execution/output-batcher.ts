import type { OutputStream } from './output-capture.js'

export interface OutputChunk {
  stream: OutputStream
  text: string
}

export interface OutputBatcherOptions {
  /** Longest time text waits before it is sent. */
  intervalMs?: number
  /** Pending size (UTF-16 units, close enough to bytes for a threshold) that sends at once. */
  maxBytes?: number
  /** Receives the pending text, consecutive chunks of one stream merged, oldest first. */
  emit(chunks: OutputChunk[]): void
}

/**
 * Groups a job's output into few reports: one per `intervalMs` or `maxBytes`, whichever comes
 * first, so a chatty script costs a handful of messages a second instead of one per write.
 */
export class OutputBatcher {
  private pending: OutputChunk[] = []
  private pendingSize = 0
  private timer: NodeJS.Timeout | undefined
  private readonly intervalMs: number
  private readonly maxBytes: number

  constructor(private readonly options: OutputBatcherOptions) {
    this.intervalMs = options.intervalMs ?? 250
    this.maxBytes = options.maxBytes ?? 64 * 1024
  }

  push(stream: OutputStream, text: string): void {
    if (text === '') return
    const last = this.pending[this.pending.length - 1]
    if (last?.stream === stream) last.text += text
    else this.pending.push({ stream, text })
    this.pendingSize += text.length
    if (this.pendingSize >= this.maxBytes) this.flush()
    else this.timer ??= setTimeout(() => this.flush(), this.intervalMs)
  }

  /** Sends what is pending now (at the end of the job, before the finished report). */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    if (this.pending.length === 0) return
    const chunks = this.pending
    this.pending = []
    this.pendingSize = 0
    this.options.emit(chunks)
  }
}
