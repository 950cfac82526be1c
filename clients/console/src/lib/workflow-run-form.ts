import { type ArgumentDefinition, definitionsOf } from './run-form.js'

/** What the run form needs of a workflow's node: its task and how its arguments are mapped. */
export interface RunFormNode {
  key: string
  task?: string | undefined
  arguments?: readonly unknown[] | undefined
}

/** The most run arguments the form offers: a definition naming more is not one the API saved. */
export const MAX_RUN_FIELDS = 64

/**
 * The fields of a workflow's run form: one per argument of the run (`{ "from": "$run", "output": n }`
 * in some node's arguments), each described as the argument of the first node's task it feeds
 * (label, type, options, required), so the task run form's fields serve here unchanged. An argument
 * no node maps, or one fed to a task the caller cannot read, is a plain text field.
 */
export function runDefinitionsOf(
  nodes: readonly RunFormNode[],
  taskArguments: (taskId: string) => readonly Record<string, unknown>[] | undefined,
): ArgumentDefinition[] {
  const found = new Map<number, ArgumentDefinition>()
  for (const node of nodes) {
    if (!node.task || !node.arguments) continue
    const raw = taskArguments(node.task)
    // A node's values go to its task's arguments that are not fixed, in order.
    const takes =
      raw === undefined ? [] : definitionsOf(raw).filter((definition) => definition.type !== 'fixed')
    node.arguments.forEach((argument, position) => {
      const n = runIndexOf(argument)
      if (n === undefined || found.has(n)) return
      const like = takes[position]
      found.set(n, {
        order: n,
        type: like?.type ?? 'input',
        label: like ? `${like.label} (${node.key})` : `argument ${n + 1} (${node.key})`,
        value: like?.value ?? '',
        required: like?.required ?? false,
        options: like?.options ?? [],
      })
    })
  }
  const count = found.size === 0 ? 0 : Math.max(...found.keys()) + 1
  return Array.from(
    { length: count },
    (_, n) =>
      found.get(n) ?? {
        order: n,
        type: 'input',
        label: `argument ${n + 1}`,
        value: '',
        required: false,
        options: [],
      },
  )
}

function runIndexOf(argument: unknown): number | undefined {
  if (typeof argument !== 'object' || argument === null) return undefined
  const { from, output } = argument as { from?: unknown; output?: unknown }
  if (from !== '$run' || typeof output !== 'number' || !Number.isInteger(output)) return undefined
  return output >= 0 && output < MAX_RUN_FIELDS ? output : undefined
}
