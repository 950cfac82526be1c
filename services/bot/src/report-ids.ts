/**
 * Report ids are derived from the job, its attempt and the report's place in the run, never random:
 * a report published again (retry after a lost ack, restart of the bot) carries the same id, so
 * JetStream's duplicate window and the scheduler's inbox see one report.
 */
export function reportId(jobId: string, attempt: number, kind: 'started' | 'finished'): string {
  return `${jobId}.${attempt}.${kind}`
}

export function outputReportId(jobId: string, attempt: number, seq: number): string {
  return `${jobId}.${attempt}.output.${seq}`
}
