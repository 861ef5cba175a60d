import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { useSession } from '@shared/session'
import { TILES } from './tiles'
import HomeView from './views/HomeView.vue'
import LoginView from './views/LoginView.vue'
import MeView from './views/MeView.vue'
import ServiceView from './views/ServiceView.vue'

const routes: RouteRecordRaw[] = [
  { path: '/', name: 'home', component: HomeView, meta: { title: '首页' } },
  { path: '/login', name: 'login', component: LoginView, meta: { title: '登录', public: true } },
  { path: '/me', name: 'me', component: MeView, meta: { title: '我的业务', requires: 'citizen' } },
  {
    path: '/lookup',
    name: 'lookup',
    component: () => import('./views/LookupView.vue'),
    meta: { title: '档案查询', requires: 'citizen' },
  },
  ...TILES.filter((t) => t.path !== '/lookup').map((t) => ({ path: t.path, component: ServiceView, meta: { title: t.title } })),
  // A terminal has no address bar: any unknown path just shows the home screen.
  { path: '/:pathMatch(.*)*', redirect: '/' },
]

export const router = createRouter({ history: createWebHistory('/kiosk/'), routes })

// A terminal never resumes a session from before a reload: only the one logged in here counts.
router.beforeEach((to) => {
  if (!to.meta.requires) return true
  if (useSession().user.value?.kind === to.meta.requires) return true
  return { path: '/login', query: { redirect: to.fullPath } }
})
