import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { MODULES } from './modules'
import OverviewView from './views/OverviewView.vue'
import ModuleView from './views/ModuleView.vue'
import NotFoundView from './views/NotFoundView.vue'

const routes: RouteRecordRaw[] = [
  { path: '/', name: 'overview', component: OverviewView, meta: { title: '工作台' } },
  ...MODULES.map((m) => ({ path: m.path, component: ModuleView, meta: { title: m.title } })),
  { path: '/:pathMatch(.*)*', name: 'not-found', component: NotFoundView, meta: { title: '页面不存在' } },
]

export const router = createRouter({ history: createWebHistory('/staff/'), routes })
