import { isTerminalLifecycle } from '@taskforge/model'

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c)

/**
 * The page a browser sees after submitting a run form (the documentation's approval button): a person
 * clicked, so they get a sentence, not JSON.
 */
export function jobQueuedPage(job: { id: string; name: string; lifecycle: string; state: string }): string {
  const done = isTerminalLifecycle(job.lifecycle)
  const title = done ? 'Job finished' : 'Job queued'
  const sentence = done
    ? `The job of <strong>${escapeHtml(job.name)}</strong> ended: ${escapeHtml(job.state)}.`
    : `The task <strong>${escapeHtml(job.name)}</strong> was queued; it runs shortly.`
  return page(title, sentence, `Job <code>${escapeHtml(job.id)}</code>`)
}

/** The same page for a run of a workflow started from a form. */
export function workflowRunPage(run: {
  id: string
  workflowId: string
  lifecycle: string
  state: string
}): string {
  const done = isTerminalLifecycle(run.lifecycle)
  const title = done ? 'Workflow run ended' : 'Workflow run started'
  const sentence = done
    ? `The run of workflow <code>${escapeHtml(run.workflowId)}</code> ended: ${escapeHtml(run.state)}.`
    : `The workflow <code>${escapeHtml(run.workflowId)}</code> was started; its first steps run shortly.`
  return page(title, sentence, `Run <code>${escapeHtml(run.id)}</code>`)
}

function page(title: string, sentence: string, naming: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head>
<body style="font-family: sans-serif; margin: 3em auto; max-width: 40em">
<h1>${title}</h1>
<p>${sentence}</p>
<p>${naming}</p>
</body>
</html>
`
}
