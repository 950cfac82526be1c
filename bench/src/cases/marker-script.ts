/**
 * The no-op job: bash writes `$EPOCHREALTIME` (microseconds, a builtin: no extra process) to a file
 * named after the job. That stamp is taken inside the script's own process once it runs, so "script
 * started" is measured where it happens, not where the bot decides to spawn it.
 */
export function markerScript(markDir: string): string {
  return `#!/bin/bash\nprintf '%s' "$EPOCHREALTIME" > '${markDir}/'"$TASKFORGE_JOB_ID"\n`
}
