// Checks the .proto files against the committed baseline image for wire-breaking changes.
// After a deliberate, released change, refresh the baseline with `node scripts/breaking.mjs --update`.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const buf = join(root, 'node_modules/.bin/buf')
const baseline = 'baseline.binpb'
if (process.argv.includes('--update') || !existsSync(join(root, baseline))) {
  execFileSync(buf, ['build', '-o', baseline], { cwd: root, stdio: 'inherit' })
  console.log(`proto: baseline written to ${baseline}`)
}
execFileSync(buf, ['breaking', '--against', baseline], { cwd: root, stdio: 'inherit' })
console.log('proto: no breaking change against the baseline')
