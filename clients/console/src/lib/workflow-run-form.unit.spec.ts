import { describe, expect, it } from 'vitest'
import { argumentsOf, fieldsOf, problemOf } from './run-form.js'
import { MAX_RUN_FIELDS, runDefinitionsOf } from './workflow-run-form.js'

const tasks: Record<string, Record<string, unknown>[]> = {
  deploy: [
    { order: 0, type: 'fixed', label: 'mode', value: '--quiet' },
    { order: 1, type: 'select', label: 'region', options: ['eu', 'us'], required: true },
    { order: 2, type: 'input', label: 'version' },
  ],
}
const of = (id: string) => tasks[id]

describe('workflow run form', () => {
  it('describes each run argument as the task argument it feeds, fixed ones skipped by position', () => {
    const definitions = runDefinitionsOf(
      [
        {
          key: 'a',
          task: 'deploy',
          arguments: [
            { from: '$run', output: 1 },
            { from: '$run', output: 0 },
          ],
        },
        { key: 'b', task: 'deploy', arguments: ['eu', { from: '$run', output: 1 }] },
      ],
      of,
    )
    expect(definitions).toMatchObject([
      { order: 0, type: 'input', label: 'version (a)', required: false },
      { order: 1, type: 'select', label: 'region (a)', options: ['eu', 'us'], required: true },
    ])
    // The task run form's own functions check and send them.
    const fields = fieldsOf(definitions)
    expect(fields.map(problemOf)).toEqual([undefined, undefined])
    fields[0]!.value = '1.2'
    expect(argumentsOf(fields)).toEqual(['1.2', 'eu'])
  })

  it('offers a plain field for an argument no readable task describes, and none past the bound', () => {
    const definitions = runDefinitionsOf(
      [
        { key: 'hidden', task: 'unknown', arguments: [{ from: '$run', output: 2 }] },
        {
          key: 'x',
          task: 'deploy',
          arguments: [
            { from: 'a', output: 0 },
            { from: '$run', output: MAX_RUN_FIELDS },
          ],
        },
        { key: 'step', arguments: [{ from: '$run', output: 0 }] },
      ],
      of,
    )
    expect(definitions.map((definition) => [definition.label, definition.type])).toEqual([
      ['argument 1', 'input'],
      ['argument 2', 'input'],
      ['argument 3 (hidden)', 'input'],
    ])
    expect(runDefinitionsOf([{ key: 'a', task: 'deploy', arguments: ['x'] }], of)).toEqual([])
  })
})
