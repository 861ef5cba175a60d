import { fileURLToPath, URL } from 'node:url'
import { defineConfig, type Plugin } from 'vite'
import vue from '@vitejs/plugin-vue'

const root = fileURLToPath(new URL('.', import.meta.url))

// App folders under the site root; everything else belongs to the public portal at /.
const subApps = ['kiosk', 'staff', 'v'] as const

// The dev server mirrors the C++ server's SPA fallback: a page request for /kiosk/* gets
// kiosk/index.html, /staff/* staff/index.html, /v/* v/index.html, anything else index.html.
function spaFallback(): Plugin {
  return {
    name: 'dangan-spa-fallback',
    configureServer(server) {
      server.middlewares.use((req, _res, next) => {
        const path = (req.url ?? '/').split('?')[0] ?? '/'
        const wantsPage = req.method === 'GET' && (req.headers.accept ?? '').includes('text/html')
        if (wantsPage && !path.startsWith('/api/') && !/\.[a-z0-9]+$/i.test(path)) {
          const app = subApps.find((a) => path === `/${a}` || path.startsWith(`/${a}/`))
          req.url = app ? `/${app}/index.html` : '/index.html'
        }
        next()
      })
    },
  }
}

export default defineConfig({
  root,
  base: '/',
  appType: 'mpa',
  plugins: [vue(), spaFallback()],
  resolve: {
    alias: { '@shared': fileURLToPath(new URL('./src/shared', import.meta.url)) },
  },
  server: {
    host: '127.0.0.1',
    // The API comes from a running `dangan serve`; DANGAN_URL points elsewhere (as the browser tests do).
    proxy: { '/api': { target: process.env.DANGAN_URL ?? 'http://127.0.0.1:8080', changeOrigin: false } },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No inline <script> or modulepreload polyfill may be needed: the server's CSP is script-src 'self'.
    modulePreload: { polyfill: false },
    rolldownOptions: {
      input: {
        portal: fileURLToPath(new URL('./index.html', import.meta.url)),
        kiosk: fileURLToPath(new URL('./kiosk/index.html', import.meta.url)),
        staff: fileURLToPath(new URL('./staff/index.html', import.meta.url)),
        verify: fileURLToPath(new URL('./v/index.html', import.meta.url)),
      },
      output: {
        // Stable, readable names for the chunks all four apps share; the rest split automatically.
        codeSplitting: {
          groups: [
            { name: 'vue', test: /node_modules[\\/](@vue|vue|vue-router)[\\/]/ },
            { name: 'shared', test: /src[\\/]shared[\\/]/ },
            { name: 'icons', test: /@element-plus[\\/]icons-vue[\\/]/ },
          ],
        },
      },
    },
  },
})
