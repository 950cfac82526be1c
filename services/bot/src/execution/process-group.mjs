// @ts-check
// Plain JavaScript: the spawner (spawner-main.mjs) runs without a TypeScript loader and uses it too.

/**
 * A script runs as the leader of its own process group (spawned detached), so the bot can signal
 * everything it started, children included, with one call.
 * @param {number} pgid
 * @param {NodeJS.Signals} signal
 * @returns {boolean} false when no process of the group is left
 */
export function signalGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal)
    return true
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code === 'ESRCH') return false
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
