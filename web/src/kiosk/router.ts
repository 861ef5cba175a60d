import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { TILES } from './tiles'
import HomeView from './views/HomeView.vue'
import ServiceView from './views/ServiceView.vue'

const routes: RouteRecordRaw[] = [
  { path: '/', name: 'home', component: HomeView, meta: { title: '首页' } },
  ...TILES.map((t) => ({ path: t.path, component: ServiceView, meta: { title: t.title } })),
  // A terminal has no address bar: any unknown path just shows the home screen.
  { path: '/:pathMatch(.*)*', redirect: '/' },
]

export const router = createRouter({ history: createWebHistory('/kiosk/'), routes })
