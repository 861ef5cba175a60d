import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { useSession } from '@shared/session'
import { rememberBranchFromUrl } from './branch'
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
  {
    path: '/appointments',
    name: 'appointments',
    component: () => import('./views/AppointmentsView.vue'),
    meta: { title: '预约/签到' },
  },
  {
    path: '/checkin',
    name: 'checkin',
    component: () => import('./views/CheckInView.vue'),
    meta: { title: '到场签到' },
  },
  {
    path: '/visit',
    name: 'visit',
    component: () => import('./views/VisitView.vue'),
    meta: { title: '预约到访', requires: 'citizen' },
  },
  {
    path: '/certificate',
    name: 'certificate',
    component: () => import('./views/CertificateView.vue'),
    meta: { title: '打印查档证明', requires: 'citizen' },
  },
  {
    path: '/robot',
    name: 'robot',
    component: () => import('./views/RobotView.vue'),
    meta: { title: '咨询机器人' },
  },
  ...TILES.filter((t) => !['/lookup', '/appointments', '/certificate', '/robot'].includes(t.path)).map((t) => ({ path: t.path, component: ServiceView, meta: { title: t.title } })),
  // A terminal has no address bar: any unknown path just shows the home screen.
  { path: '/:pathMatch(.*)*', redirect: '/' },
]

rememberBranchFromUrl()
export const router = createRouter({ history: createWebHistory('/kiosk/'), routes })

// A terminal never resumes a session from before a reload: only the one logged in here counts.
router.beforeEach((to) => {
  if (!to.meta.requires) return true
  if (useSession().user.value?.kind === to.meta.requires) return true
  return { path: '/login', query: { redirect: to.fullPath } }
})
