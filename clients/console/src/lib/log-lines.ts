/**
 * A job's log as lines, grown by appending text as it arrives: the last line stays open until its
 * newline comes. Holds 200,000 lines as plain strings; what is drawn is only the window that
 * {@link visibleWindow} gives.
 */
export class LogLines {
  readonly lines: string[] = []
  #open = false
  /** Characters appended so far. */
  length = 0

  append(text: string): void {
    if (text === '') return
    this.length += text.length
    const parts = text.split('\n')
    const first = parts[0] ?? ''
    if (this.#open && this.lines.length > 0) this.lines[this.lines.length - 1] += first
    else this.lines.push(first)
    for (let i = 1; i < parts.length; i++) this.lines.push(parts[i] ?? '')
    // A text ending in a newline leaves an empty open line: it is not a line of its own yet.
    this.#open = true
    if (this.lines.at(-1) === '') {
      this.lines.pop()
      this.#open = false
    }
  }

  get count(): number {
    return this.lines.length
  }

  /** Indexes of the lines that contain `needle` (case-insensitive), at most `max`. */
  search(needle: string, max = 10_000): number[] {
    if (needle === '') return []
    const lower = needle.toLowerCase()
    const found: number[] = []
    for (let i = 0; i < this.lines.length && found.length < max; i++)
      if (this.lines[i]!.toLowerCase().includes(lower)) found.push(i)
    return found
  }
}

/** The rows to draw for a scroll position: those in view plus `overscan` each side. */
export function visibleWindow(
  scrollTop: number,
  viewport: number,
  rowHeight: number,
  count: number,
  overscan = 20,
): { start: number; end: number } {
  const first = Math.floor(scrollTop / rowHeight)
  const start = Math.max(0, first - overscan)
  const end = Math.min(count, first + Math.ceil(viewport / rowHeight) + overscan)
  return { start, end: Math.max(start, end) }
}

/** Whether a scroll position is at the bottom (within a row): following goes on only there. */
export function atBottom(scrollTop: number, viewport: number, scrollHeight: number, slack: number): boolean {
  return scrollTop + viewport >= scrollHeight - slack
}
