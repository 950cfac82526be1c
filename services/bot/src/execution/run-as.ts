/** The token of `run_as` that stands for the script's path on the bot. */
export const SCRIPT_TOKEN = '%script%'

export class RunAsSyntaxError extends Error {
  override name = 'RunAsSyntaxError'
}

/**
 * Splits a `run_as` command line into words the way a POSIX shell would split a simple command,
 * and nothing more: quotes group, a backslash escapes, but no expansion, substitution, redirection
 * or operator has any meaning. The words are then given to `spawn` directly, without a shell, so
 * nothing in a task's settings or a run's arguments can inject a command.
 *
 * - whitespace separates words;
 * - `'...'` is literal;
 * - `"..."` is literal except `\"`, `\\`, `\$` and `` \` ``;
 * - outside quotes, `\x` is `x`;
 * - `''` and `""` make an empty word.
 */
export function splitRunAs(runAs: string): string[] {
  const words: string[] = []
  let word = ''
  let inWord = false
  let i = 0
  while (i < runAs.length) {
    const ch = runAs[i]!
    if (ch === "'") {
      const end = runAs.indexOf("'", i + 1)
      if (end === -1) throw new RunAsSyntaxError(`unterminated single quote in run_as: ${runAs}`)
      word += runAs.slice(i + 1, end)
      inWord = true
      i = end + 1
    } else if (ch === '"') {
      i += 1
      let closed = false
      while (i < runAs.length) {
        const c = runAs[i]!
        if (c === '"') {
          closed = true
          i += 1
          break
        }
        if (c === '\\' && i + 1 < runAs.length && '"\\$`'.includes(runAs[i + 1]!)) {
          word += runAs[i + 1]
          i += 2
          continue
        }
        word += c
        i += 1
      }
      if (!closed) throw new RunAsSyntaxError(`unterminated double quote in run_as: ${runAs}`)
      inWord = true
    } else if (ch === '\\') {
      if (i + 1 >= runAs.length) throw new RunAsSyntaxError(`trailing backslash in run_as: ${runAs}`)
      word += runAs[i + 1]
      inWord = true
      i += 2
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word)
      word = ''
      inWord = false
      i += 1
    } else {
      word += ch
      inWord = true
      i += 1
    }
  }
  if (inWord) words.push(word)
  return words
}

/**
 * The argv of a job: the script alone when `run_as` is empty; otherwise the words of `run_as` with
 * every `%script%` replaced by the script path (the path appended when no word mentions it).
 * The run's arguments always follow, verbatim, one argv entry each.
 */
export function buildArgv(runAs: string, scriptPath: string, args: readonly string[]): string[] {
  const words = splitRunAs(runAs)
  if (words.length === 0) return [scriptPath, ...args]
  const mentionsScript = words.some((word) => word.includes(SCRIPT_TOKEN))
  const command = mentionsScript
    ? words.map((word) => word.split(SCRIPT_TOKEN).join(scriptPath))
    : [...words, scriptPath]
  return [...command, ...args]
}
