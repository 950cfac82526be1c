import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { brotliCompressSync, gzipSync } from 'node:zlib'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { defaultClientConditions, defineConfig, type Plugin } from 'vite'

/** Writes `.br` and `.gz` beside every text asset, so the gateway can answer them without compressing per request. */
function precompress(): Plugin {
  let outDir = 'dist'
  return {
    name: 'taskforge-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir
    },
    closeBundle() {
      for (const entry of readdirSync(outDir, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile() || !/\.(js|css|html|svg|json)$/.test(entry.name)) continue
        const path = join(entry.parentPath, entry.name)
        const bytes = readFileSync(path)
        writeFileSync(`${path}.br`, brotliCompressSync(bytes))
        writeFileSync(`${path}.gz`, gzipSync(bytes, { level: 9 }))
      }
    },
  }
}

export default defineConfig({
  base: '/console/',
  plugins: [svelte(), precompress()],
  // Workspace packages are bundled from their TypeScript source, as the services run them.
  resolve: { conditions: ['source', ...defaultClientConditions] },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false },
  server: {
    proxy: Object.fromEntries(
      ['^/(?!console/|@|node_modules|src/).*'].map((path) => [
        path,
        { target: process.env.TASKFORGE_URL ?? 'http://127.0.0.1:8080', changeOrigin: false },
      ]),
    ),
  },
})
