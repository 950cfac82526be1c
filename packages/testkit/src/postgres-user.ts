import { execFile } from 'node:child_process'
import { chmod, chown, lstat, readdir, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { debugLog } from './debug.js'

const run = promisify(execFile)

/** The account a server started by root runs as (Postgres refuses to run as root). */
export interface UnixAccount {
  uid: number
  gid: number
}

async function lookup(name: string): Promise<UnixAccount> {
  const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])])
  return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) }
}

/** The `postgres` account, created (system account, no home) when this machine has none. */
export async function postgresAccount(): Promise<UnixAccount> {
  try {
    return await lookup('postgres')
  } catch {
    debugLog('postgres', 'creating the postgres system account')
    await run('groupadd', ['--system', 'postgres']).catch(() => undefined)
    await run('useradd', [
      '--system',
      '--gid',
      'postgres',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      'postgres',
    ])
    return lookup('postgres')
  }
}

/**
 * Makes `dir` and every parent searchable by `account`, adding only the execute bit of the class
 * (owner, group, other) the account falls in. Spawned with a uid, the server keeps no supplementary
 * groups, so only the primary group counts.
 */
export async function ensureTraversable(dir: string, account: UnixAccount): Promise<void> {
  let current = dir
  for (;;) {
    const info = await stat(current)
    const bit = info.uid === account.uid ? 0o100 : info.gid === account.gid ? 0o010 : 0o001
    if ((info.mode & bit) === 0) {
      debugLog('postgres', `adding search permission to ${current} for uid ${account.uid}`)
      await chmod(current, (info.mode & 0o7777) | bit)
    }
    const parent = dirname(current)
    if (parent === current) return
    current = parent
  }
}

/** Gives `dir` and everything in it to `account` (a data directory made by root, or by an earlier run as another user). */
export async function ensureOwned(dir: string, account: UnixAccount): Promise<void> {
  const info = await lstat(dir)
  if (info.uid === account.uid && info.gid === account.gid) return
  await chownTree(dir, account)
}

async function chownTree(path: string, account: UnixAccount): Promise<void> {
  const info = await lstat(path)
  if (info.isSymbolicLink()) return
  await chown(path, account.uid, account.gid)
  if (!info.isDirectory()) return
  for (const entry of await readdir(path)) await chownTree(join(path, entry), account)
}
