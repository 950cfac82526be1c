import type { OutputChunk } from './output-capture.js'

export interface OutputBatcherOptions {
  /** Longest time output waits before it is sent. */
  intervalMs?: number
  /** Bytes of output one chunk holds at most; pending output this large is sent at once. */
  maxBytes?: number
  /** Receives the pending output, consecutive pieces of one stream merged, oldest first. */
  emit(chunks: OutputChunk[]): void
}

/**
 * Groups a job's output into few reports: one per `intervalMs` or `maxBytes`, whichever comes
 * first, so a chatty script costs a handful of messages a second instead of one per write. A
 * chunk never holds more than `maxBytes` bytes, so each fits its report.
 */
export class OutputBatcher {
  /** Pending chunks, each as the pieces it merges (joined when sent). */
  private pending: { stream: OutputChunk['stream']; data: Buffer[]; bytes: number; text: string }[] = []
  private pendingBytes = 0
  private timer: NodeJS.Timeout | undefined
  private readonly intervalMs: number
  private readonly maxBytes: number

  constructor(private readonly options: OutputBatcherOptions) {
    this.intervalMs = options.intervalMs ?? 250
    this.maxBytes = options.maxBytes ?? 64 * 1024
  }

  push(piece: OutputChunk): void {
    if (piece.text === '' && piece.data.length === 0) return
    const last = this.pending[this.pending.length - 1]
    if (last?.stream === piece.stream && last.bytes + piece.data.length <= this.maxBytes) {
      last.data.push(piece.data)
      last.bytes += piece.data.length
      last.text += piece.text
    } else {
      this.pending.push({
        stream: piece.stream,
        data: [piece.data],
        bytes: piece.data.length,
        text: piece.text,
      })
    }
    this.pendingBytes += piece.data.length
    if (this.pendingBytes >= this.maxBytes) this.flush()
    else this.timer ??= setTimeout(() => this.flush(), this.intervalMs)
  }

  /** Sends what is pending now (at the end of the job, before the finished report). */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    if (this.pending.length === 0) return
    const chunks = this.pending.map(({ stream, data, bytes, text }) => ({
      stream,
      data: data.length === 1 ? data[0]! : Buffer.concat(data, bytes),
      text,
    }))
    this.pending = []
    this.pendingBytes = 0
    this.options.emit(chunks)
  }
}
