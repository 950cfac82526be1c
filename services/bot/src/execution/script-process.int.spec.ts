import { readdirSync, readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { groupAlive } from './process-group.mjs'
import { buildArgv } from './run-as.js'
import { SPAWNER_LOST_REASON, startScript } from './script-process.js'

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' }

async function waitUntil(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** The pid of this process's spawner (a child whose name is bot-spawner). */
function spawnerPid(): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (stat.includes('(bot-spawner)') && Number(fields[1]) === process.pid) return Number(entry)
    } catch {
      // Gone meanwhile.
    }
  }
  return undefined
}

describe('startScript', () => {
  let dir: string

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bot-exec-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  async function script(name: string, content: string): Promise<string> {
    const path = join(dir, name)
    await writeFile(path, content, { mode: 0o755 })
    return path
  }

  it('passes arguments verbatim, without any shell interpretation', async () => {
    const path = await script('argv.sh', '#!/bin/sh\nfor a in "$@"; do printf "[%s]\\n" "$a"; done\n')
    const args = [
      `it's "quoted"`,
      'a; rm -rf /',
      '$(id) `id` $HOME',
      '  spaced  out  ',
      'line1\nline2',
      '',
      '*',
    ]
    const outcome = await startScript({
      argv: buildArgv('', path, args),
      cwd: dir,
      env,
      timeoutMs: 20_000,
      killGraceMs: 1000,
    }).done
    expect(outcome.state).toBe('success')
    expect(outcome.result.log).toBe(args.map((arg) => `[${arg}]\n`).join(''))
  })

  it('runs through run_as words, with %script% replaced by the path', async () => {
    const path = await script('args.sh', 'printf "%s|" "$0" "$@"\n')
    const argv = buildArgv(`sh -e '%script%' "first arg"`, path, ['$(second)'])
    const outcome = await startScript({ argv, cwd: dir, env, timeoutMs: 20_000, killGraceMs: 1000 }).done
    expect(outcome.result.log).toBe(`${path}|first arg|$(second)|`)
  })

  it('gives the script only the environment it is given', async () => {
    const path = await script('env.sh', '#!/bin/sh\nenv | sort\n')
    const outcome = await startScript({
      argv: [path],
      cwd: dir,
      env: { ...env, ONLY: 'this' },
      timeoutMs: 20_000,
      killGraceMs: 1000,
    }).done
    const names = outcome.output.map((line) => line.split('=')[0])
    expect(names).toContain('ONLY')
    expect(names).not.toContain('NODE_OPTIONS')
    expect(names).not.toContain('VITEST')
  })

  it('applies the outcome rules: exit code, then the JSON verdict', async () => {
    const failing = await script('fail.sh', '#!/bin/sh\necho oops >&2\nexit 3\n')
    const failed = await startScript({ argv: [failing], cwd: dir, env, timeoutMs: 20_000, killGraceMs: 1000 })
      .done
    expect(failed.state).toBe('failure')
    expect(failed.result).toMatchObject({ code: 3, killed: false, lastline: 'oops' })

    const verdict = await script(
      'verdict.sh',
      '#!/bin/sh\necho working\necho \'{"state":"success","output":["x"]}\'\nexit 1\n',
    )
    const won = await startScript({ argv: [verdict], cwd: dir, env, timeoutMs: 20_000, killGraceMs: 1000 })
      .done
    expect(won.state).toBe('success')
    expect(won.output).toEqual(['x'])
  })

  it('streams output as it comes and caps what it keeps', async () => {
    const path = await script('loud.sh', '#!/bin/sh\nhead -c 5000 /dev/zero | tr "\\0" a\necho\necho tail\n')
    const streamed: string[] = []
    const outcome = await startScript({
      argv: [path],
      cwd: dir,
      env,
      timeoutMs: 20_000,
      killGraceMs: 1000,
      outputLimitBytes: 1000,
      onOutput: (piece) => streamed.push(piece.text),
    }).done
    expect(outcome.result.log).toBe('a'.repeat(1000))
    expect(streamed.join('')).toBe(outcome.result.log)
    expect(outcome.result.truncatedBytes).toBe(5000n + 1n + 5n - 1000n)
  })

  it('hands out every byte it printed exactly, in pieces, with well-formed text beside them', async () => {
    const every = Buffer.from(Array.from({ length: 256 }, (_, byte) => byte))
    const invalid = Buffer.from([0xc3, 0x28, 0xe2, 0x82, 0xed, 0xa0, 0x80, 0xf0, 0x9f, 0x98])
    await writeFile(join(dir, 'out.bin'), Buffer.concat([every, Buffer.from('\n€\r\u001b[1m'), invalid]))
    await writeFile(join(dir, 'err.bin'), Buffer.concat([invalid, every]))
    const path = await script('bytes.sh', '#!/bin/sh\ncat out.bin\ncat err.bin >&2\ncat out.bin\n')
    const pieces: { stream: string; data: Buffer; text: string }[] = []
    const outcome = await startScript({
      argv: [path],
      cwd: dir,
      env,
      timeoutMs: 20_000,
      killGraceMs: 1000,
      outputChunkBytes: 7,
      onOutput: (piece) => pieces.push(piece),
    }).done
    const of = (stream: string) => pieces.filter((piece) => piece.stream === stream)
    const out = await readFile(join(dir, 'out.bin'))
    const err = await readFile(join(dir, 'err.bin'))
    expect(Buffer.concat(of('stdout').map((piece) => piece.data))).toEqual(Buffer.concat([out, out]))
    expect(Buffer.concat(of('stderr').map((piece) => piece.data))).toEqual(err)
    expect(pieces.every((piece) => piece.data.length <= 7)).toBe(true)
    const decoded = (bytes: Buffer) => new TextDecoder().decode(bytes).replaceAll('\0', '\ufffd')
    expect(
      of('stdout')
        .map((piece) => piece.text)
        .join(''),
    ).toBe(decoded(Buffer.concat([out, out])))
    expect(
      of('stderr')
        .map((piece) => piece.text)
        .join(''),
    ).toBe(decoded(err))
    const log = outcome.result.log
    expect(log.isWellFormed() && !log.includes('\0')).toBe(true)
    expect(log).toBe(pieces.map((piece) => piece.text).join(''))
    expect(outcome.state).toBe('success')
  })

  it('kills a script that traps SIGTERM after the grace period, and says it timed out', async () => {
    const path = await script(
      'stubborn.sh',
      '#!/bin/sh\ntrap "echo got TERM" TERM\necho started\nwhile true; do sleep 0.1; done\n',
    )
    const run = startScript({ argv: [path], cwd: dir, env, timeoutMs: 500, killGraceMs: 500 })
    const outcome = await run.done
    expect(outcome.state).toBe('timeout')
    expect(outcome.result).toMatchObject({ killed: true, signal: 'SIGKILL', reason: 'timeout' })
    expect(outcome.output).toContain('started')
    expect(run.pid).toBeDefined()
    await waitUntil(() => !groupAlive(run.pid!))
  })

  it('ends a script that stops on SIGTERM with that signal', async () => {
    const path = await script('sleepy.sh', '#!/bin/sh\nexec sleep 30\n')
    const outcome = await startScript({ argv: [path], cwd: dir, env, timeoutMs: 300, killGraceMs: 10_000 })
      .done
    expect(outcome.state).toBe('timeout')
    expect(outcome.result).toMatchObject({ killed: true, signal: 'SIGTERM' })
  })

  it('leaves no process of the job behind, after a normal exit or a timeout', async () => {
    const pidFile = join(dir, 'pids')
    const forking = await script(
      'forking.sh',
      `#!/bin/sh\n(trap "" TERM; sleep 60) &\necho $! >> ${pidFile}\nsh -c 'sleep 60' &\necho $! >> ${pidFile}\necho forked\n`,
    )
    const exited = await startScript({ argv: [forking], cwd: dir, env, timeoutMs: 20_000, killGraceMs: 500 })
      .done
    expect(exited.state).toBe('success')
    const children = (await readFile(pidFile, 'utf8')).trim().split('\n').map(Number)
    expect(children).toHaveLength(2)
    await waitUntil(() => children.every((pid) => !alive(pid)))

    const hanging = await script(
      'hanging.sh',
      '#!/bin/sh\n(trap "" TERM; while true; do sleep 0.1; done) &\ntrap "" TERM\nwait\n',
    )
    const run = startScript({ argv: [hanging], cwd: dir, env, timeoutMs: 300, killGraceMs: 300 })
    const timedOut = await run.done
    expect(timedOut.state).toBe('timeout')
    await waitUntil(() => !groupAlive(run.pid!))
  })

  it('reports a command that cannot start as an error', async () => {
    const missing = await startScript({
      argv: ['/nonexistent/interpreter', 'x'],
      cwd: dir,
      env,
      timeoutMs: 1000,
      killGraceMs: 100,
    }).done
    expect(missing.state).toBe('error')
    expect(missing.result.log).toMatch(/ENOENT/)

    const notExecutable = join(dir, 'plain.txt')
    await writeFile(notExecutable, 'echo hi\n', { mode: 0o644 })
    const denied = await startScript({
      argv: [notExecutable],
      cwd: dir,
      env,
      timeoutMs: 1000,
      killGraceMs: 100,
    }).done
    expect(denied.state).toBe('error')
    expect(denied.result.log).toMatch(/EACCES/)
  })

  it('stops on abort and reports the reason', async () => {
    const path = await script('long.sh', '#!/bin/sh\necho begun\nexec sleep 30\n')
    const run = startScript({ argv: [path], cwd: dir, env, timeoutMs: 60_000, killGraceMs: 500 })
    await new Promise((resolve) => setTimeout(resolve, 200))
    run.abort('bot shutting down')
    const outcome = await run.done
    expect(outcome.state).toBe('error')
    expect(outcome.result).toMatchObject({ killed: true, reason: 'bot shutting down' })
  })

  it('tells the pid before any output', async () => {
    const path = await script('early.sh', '#!/bin/sh\necho first\n')
    const events: string[] = []
    const run = startScript({
      argv: [path],
      cwd: dir,
      env,
      timeoutMs: 20_000,
      killGraceMs: 1000,
      onStarted: (pid) => events.push(`started ${pid}`),
      onOutput: (piece) => events.push(piece.text),
    })
    await run.done
    expect(events).toEqual([`started ${run.pid}`, 'first\n'])
  })

  it('ends the scripts of a spawner that died and its group, and spawns the next ones anew', async () => {
    const path = await script('long.sh', '#!/bin/sh\nsleep 30 &\necho begun\nwait\n')
    let started = false
    const run = startScript({
      argv: [path],
      cwd: dir,
      env,
      timeoutMs: 60_000,
      killGraceMs: 500,
      onStarted: () => {
        started = true
      },
    })
    await waitUntil(() => started)
    process.kill(spawnerPid()!, 'SIGKILL')
    const outcome = await run.done
    expect(outcome.state).toBe('error')
    expect(outcome.result).toMatchObject({ killed: true, signal: 'SIGKILL', reason: SPAWNER_LOST_REASON })
    await waitUntil(() => !groupAlive(run.pid!))

    const next = await startScript({ argv: [path], cwd: dir, env, timeoutMs: 300, killGraceMs: 300 }).done
    expect(next.state).toBe('timeout')
  })
})
