import { PassThrough } from 'node:stream'
import {
  argumentsFromJson,
  ConfigError,
  configPath,
  DEFAULT_URL,
  Exit,
  exitCodeOf,
  main,
  parseConfigFile,
  parseDuration,
  render,
  resolveConnection,
  suppliedArguments,
  UsageError,
} from '@taskforge/cli'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'

describe('config precedence', () => {
  const file = {
    default_profile: 'work',
    profiles: {
      work: { url: 'http://work:8080/', token: 'work-token', customer: 'work-org' },
      home: { url: 'http://home:8080', customer: 'home-org' },
      default: { url: 'http://default:8080', token: 'default-token', customer: 'default-org' },
    },
  }

  it('takes each setting from flags, else env, else the profile', () => {
    const env = { TASKFORGE_URL: 'http://env:8080', TASKFORGE_CUSTOMER: 'env-org' }
    expect(resolveConnection({ customer: 'flag-org' }, env, file)).toEqual({
      url: 'http://env:8080',
      token: 'work-token',
      customer: 'flag-org',
      profile: 'work',
    })
    expect(resolveConnection({}, {}, file)).toMatchObject({ url: 'http://work:8080', customer: 'work-org' })
    expect(resolveConnection({ token: 't' }, { TASKFORGE_TOKEN: 'e' }, file).token).toBe('t')
    expect(resolveConnection({}, { TASKFORGE_TOKEN: 'e' }, file).token).toBe('e')
  })

  it('picks the profile by --profile, else TASKFORGE_PROFILE, else default_profile, else "default"', () => {
    expect(resolveConnection({ profile: 'home' }, { TASKFORGE_PROFILE: 'work' }, file)).toMatchObject({
      profile: 'home',
      token: undefined,
      customer: 'home-org',
    })
    expect(resolveConnection({}, { TASKFORGE_PROFILE: 'home' }, file).profile).toBe('home')
    const { default_profile: _, ...noDefault } = file
    expect(resolveConnection({}, {}, noDefault).profile).toBe('default')
    expect(resolveConnection({}, {}, {})).toEqual({
      url: DEFAULT_URL,
      token: undefined,
      customer: '',
      profile: undefined,
    })
  })

  it('treats an empty value as not given, and a missing profile as an error', () => {
    expect(resolveConnection({ url: '' }, { TASKFORGE_URL: '' }, file).url).toBe('http://work:8080')
    expect(() => resolveConnection({ profile: 'nope' }, {}, file)).toThrow(
      /no profile nope .*work, home, default/,
    )
  })

  it('finds the file under TASKFORGE_CONFIG, XDG_CONFIG_HOME or ~/.config', () => {
    expect(configPath({ TASKFORGE_CONFIG: '/x/c.yaml', XDG_CONFIG_HOME: '/xdg' })).toBe('/x/c.yaml')
    expect(configPath({ XDG_CONFIG_HOME: '/xdg' })).toBe('/xdg/taskforge/config.yaml')
    expect(configPath({ HOME: '/home/u' })).toBe('/home/u/.config/taskforge/config.yaml')
  })

  it('reads a file of profiles and rejects one it cannot use, naming what is wrong', () => {
    expect(parseConfigFile('', 'c')).toEqual({})
    expect(parseConfigFile('profiles:\n  a: {url: "http://a"}\n', 'c')).toEqual({
      profiles: { a: { url: 'http://a' } },
    })
    expect(() => parseConfigFile('profiles: [1]', 'c')).toThrow(ConfigError)
    expect(() => parseConfigFile('profiles:\n  a: {secret: x}\n', 'c')).toThrow(/profile a: secret/)
    expect(() => parseConfigFile('a: [', 'c')).toThrow(/not YAML/)
  })
})

describe('output formats', () => {
  const jobs = [
    {
      id: 'j1',
      name: 'lines',
      lifecycle: 'finished',
      state: 'success',
      output: ['a', 'b'],
      result: { code: 0 },
    },
    { id: 'j22', name: 'x', lifecycle: 'assigned', state: 'in_progress', output: [], result: {} },
  ]

  it('prints JSON and YAML that parse back to the same value', () => {
    // What an answer parses to: any JSON text (which has no -0, say).
    const answer = fc.jsonValue().map((value) => JSON.parse(JSON.stringify(value)) as unknown)
    fc.assert(
      fc.property(answer, (value) => {
        expect(JSON.parse(render(value, 'json'))).toEqual(value)
        expect(parseYaml(render(value, 'yaml'))).toEqual(value)
      }),
      { numRuns: 500 },
    )
  })

  it('prints a list as aligned columns with a header, one line per row', () => {
    expect(render(jobs, 'table', ['id', 'name', 'state', 'output'])).toBe(
      'ID   NAME   STATE        OUTPUT\nj1   lines  success      a,b\nj22  x      in_progress\n',
    )
    expect(render([], 'table', ['id', 'name'])).toBe('ID  NAME\n')
  })

  it('prints one object as field and value, nested values on one line', () => {
    expect(render({ id: 'j1', output: ['a'], result: { code: 0 }, note: 'two\nlines' }, 'table')).toBe(
      'FIELD   VALUE\nid      j1\noutput  a\nresult  {"code":0}\nnote    two\\nlines\n',
    )
  })
})

describe('exit codes and durations', () => {
  it('maps how a job ended to the contract exit codes', () => {
    expect(exitCodeOf({ lifecycle: 'finished', state: 'success' })).toBe(Exit.success)
    expect(exitCodeOf({ lifecycle: 'finished', state: 'failure' })).toBe(2)
    expect(exitCodeOf({ lifecycle: 'finished', state: 'error' })).toBe(2)
    expect(exitCodeOf({ lifecycle: 'canceled', state: 'canceled' })).toBe(3)
    expect(exitCodeOf({ lifecycle: 'terminated', state: 'timeout' })).toBe(4)
    expect(exitCodeOf({ lifecycle: 'terminated', state: 'error' })).toBe(4)
  })

  it('reads durations in seconds or with units', () => {
    expect(parseDuration('90')).toBe(90_000)
    expect(parseDuration('1s')).toBe(1_000)
    expect(parseDuration('500ms')).toBe(500)
    expect(parseDuration('1m30s')).toBe(90_000)
    expect(parseDuration('2h')).toBe(7_200_000)
    for (const bad of ['', 'soon', '1d', '1s2', '-1s'])
      expect(() => parseDuration(bad)).toThrow(/not a duration/)
  })
})

describe('arguments', () => {
  it('takes a rerun’s supplied values out of the job argv, leaving the fixed ones', () => {
    const definitions = [
      { order: 1, type: 'input' },
      { order: 0, type: 'fixed', value: '--verbose' },
      { order: 2, type: 'json' },
    ]
    expect(suppliedArguments(definitions, ['--verbose', 'who', '{}'])).toEqual(['who', '{}'])
    expect(suppliedArguments([], [])).toEqual([])
  })

  it('reads --arg-json as an array or {task_arguments}', () => {
    expect(argumentsFromJson('["a", 1]', '-')).toEqual(['a', 1])
    expect(argumentsFromJson('{"task_arguments": ["a"]}', '-')).toEqual(['a'])
    expect(() => argumentsFromJson('{"a": 1}', '@f')).toThrow(UsageError)
    expect(() => argumentsFromJson('[', '@f')).toThrow(/not JSON/)
  })
})

describe('main', () => {
  const io = () => {
    const stdout = new PassThrough()
    const stderr = new PassThrough()
    const text = { out: '', err: '' }
    stdout.on('data', (chunk: Buffer) => {
      text.out += chunk.toString()
    })
    stderr.on('data', (chunk: Buffer) => {
      text.err += chunk.toString()
    })
    const stdin = new PassThrough()
    stdin.end()
    return { io: { stdout, stderr, stdin, env: { TASKFORGE_CONFIG: '/nonexistent/config.yaml' } }, text }
  }

  it('exits 0 on --help and 1 on a usage error, before any request', async () => {
    const help = io()
    expect(await main(['--help'], help.io)).toBe(0)
    expect(help.text.out).toContain('Usage: taskforge')
    const bad = io()
    expect(await main(['run'], bad.io)).toBe(1)
    expect(bad.text.err).toContain("missing required argument 'task'")
    const format = io()
    expect(await main(['tasks', '-o', 'xml'], format.io)).toBe(1)
    expect(format.text.err).toContain('xml')
    const json = io()
    expect(await main(['run', 'x', '--arg-json', 'inline'], json.io)).toBe(1)
    expect(json.text.err).toContain('--arg-json takes @file or -')
  })
})
