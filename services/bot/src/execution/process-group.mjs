// @ts-check
// Plain JavaScript: the spawner (spawner-main.mjs) runs without a TypeScript loader and uses it too.

/**
 * A script runs as the leader of its own process group (spawned detached), so the bot can signal
 * everything it started, children included, with one call. Never throws for what a script can
 * leave behind: a group whose remaining processes are not ours to signal (EPERM: a set-user-ID
 * program it started) is as good as gone for the bot, and a script must not be able to take down
 * the process that signals it.
 * @param {number} pgid
 * @param {NodeJS.Signals} signal
 * @returns {boolean} false when no process of the group is left that the bot may signal
 */
export function signalGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal)
    return true
  } catch (error) {
    const code = /** @type {NodeJS.ErrnoException} */ (error).code
    if (code === 'ESRCH' || code === 'EPERM') return false
    throw error
  }
}

/**
 * Whether any process of the group is still alive (zombies not yet reaped count as alive).
 * @param {number} pgid
 * @returns {boolean}
 */
export function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0)
    return true
  } catch (error) {
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM'
  }
}
