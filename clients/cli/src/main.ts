import { main } from './program.js'

// A reader that closes the pipe early (`taskforge jobs list | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0)
  throw error
})

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
})
// Exit now: an idle keep-alive connection would hold the process a few seconds more.
process.exit(code)
