import { describe, expect, it } from 'vitest'
import { buildArgv, RunAsSyntaxError, splitRunAs } from './run-as.js'

describe('splitRunAs', () => {
  it('splits on any whitespace and ignores the surrounding blanks', () => {
    expect(splitRunAs('  sudo  -u\tdeploy \n bash ')).toEqual(['sudo', '-u', 'deploy', 'bash'])
    expect(splitRunAs('')).toEqual([])
    expect(splitRunAs('   ')).toEqual([])
  })

  it('keeps single-quoted text literal', () => {
    expect(splitRunAs(`bash -c 'echo "$HOME" \\ ; ls'`)).toEqual(['bash', '-c', 'echo "$HOME" \\ ; ls'])
  })

  it('unescapes only the special characters inside double quotes', () => {
    expect(splitRunAs('a "b \\" \\\\ \\$ \\` \\n c"')).toEqual(['a', 'b " \\ $ ` \\n c'])
  })

  it('joins adjacent quoted and bare parts into one word, and keeps empty words', () => {
    expect(splitRunAs(`--name='big world'"!" '' ""`)).toEqual(['--name=big world!', '', ''])
  })

  it('treats a backslash outside quotes as an escape', () => {
    expect(splitRunAs('my\\ script \\$x')).toEqual(['my script', '$x'])
  })

  it('gives shell operators no meaning', () => {
    expect(splitRunAs('echo a;b | c && $(d) > e')).toEqual(['echo', 'a;b', '|', 'c', '&&', '$(d)', '>', 'e'])
  })

  it('rejects unterminated quotes and a trailing backslash', () => {
    expect(() => splitRunAs(`bash 'oops`)).toThrow(RunAsSyntaxError)
    expect(() => splitRunAs('bash "oops')).toThrow(RunAsSyntaxError)
    expect(() => splitRunAs('bash \\')).toThrow(RunAsSyntaxError)
  })
})

describe('buildArgv', () => {
  const args = ['big world; $(id)', '', '"quoted"', 'line1\nline2']

  it('runs the script itself when run_as is empty', () => {
    expect(buildArgv('', '/jobs/1/run.sh', args)).toEqual(['/jobs/1/run.sh', ...args])
    expect(buildArgv('  ', '/jobs/1/run.sh', [])).toEqual(['/jobs/1/run.sh'])
  })

  it('appends the script path when run_as does not mention it', () => {
    expect(buildArgv('node --no-warnings', '/j/s.js', ['x'])).toEqual([
      'node',
      '--no-warnings',
      '/j/s.js',
      'x',
    ])
  })

  it('replaces every %script% token, also inside a word', () => {
    expect(buildArgv('python3 %script% --log=%script%.log', '/j/s.py', ['a b'])).toEqual([
      'python3',
      '/j/s.py',
      '--log=/j/s.py.log',
      'a b',
    ])
  })

  it('never splits or interprets the arguments', () => {
    expect(buildArgv('sh %script%', '/j/s.sh', args).slice(2)).toEqual(args)
  })
})
