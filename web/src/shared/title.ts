import type { Router } from 'vue-router'
import { PLATFORM_NAME } from './constants'

declare module 'vue-router' {
  interface RouteMeta {
    /** Page title shown in the view header and the browser tab. */
    title?: string
  }
}

/** Keeps document.title as "<page> - <app> - 社会保险档案智慧服务平台". */
export function syncDocumentTitle(router: Router, app?: string): void {
  router.afterEach((to) => {
    const parts = [to.meta.title, app, PLATFORM_NAME].filter((p): p is string => Boolean(p))
    document.title = [...new Set(parts)].join(' - ')
  })
}
