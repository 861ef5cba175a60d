import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { FEATURES } from './features'
import HomeView from './views/HomeView.vue'
import FeatureView from './views/FeatureView.vue'
import NotFoundView from './views/NotFoundView.vue'

const routes: RouteRecordRaw[] = [
  { path: '/', name: 'home', component: HomeView, meta: { title: '首页' } },
  ...FEATURES.map((f) => ({ path: f.path, component: FeatureView, meta: { title: f.title } })),
  { path: '/:pathMatch(.*)*', name: 'not-found', component: NotFoundView, meta: { title: '页面不存在' } },
]

export const router = createRouter({
  history: createWebHistory('/'),
  routes,
  scrollBehavior: () => ({ top: 0 }),
})
