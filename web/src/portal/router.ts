import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { useSession } from '@shared/session'
import { FEATURES } from './features'
import HomeView from './views/HomeView.vue'
import FeatureView from './views/FeatureView.vue'
import LoginView from './views/LoginView.vue'
import MeView from './views/MeView.vue'
import NotFoundView from './views/NotFoundView.vue'

const routes: RouteRecordRaw[] = [
  { path: '/', name: 'home', component: HomeView, meta: { title: '首页' } },
  { path: '/login', name: 'login', component: LoginView, meta: { title: '登录', public: true } },
  { path: '/me', name: 'me', component: MeView, meta: { title: '我的', public: true } },
  {
    path: '/lookup',
    component: () => import('./views/LookupView.vue'),
    meta: { title: '档案存放地查询', requires: 'citizen' },
  },
  {
    path: '/appointments',
    component: () => import('./views/appointments/AppointmentsHomeView.vue'),
    meta: { title: '预约', requires: 'citizen' },
  },
  {
    path: '/appointments/mine',
    component: () => import('./views/appointments/MyAppointmentsView.vue'),
    meta: { title: '我的预约', requires: 'citizen' },
  },
  {
    path: '/visit',
    component: () => import('./views/appointments/VisitBookingView.vue'),
    meta: { title: '预约到访', requires: 'citizen' },
  },
  {
    path: '/register',
    component: () => import('./views/appointments/RetrievalView.vue'),
    meta: { title: '查档登记', requires: 'citizen' },
  },
  {
    path: '/certificates',
    component: () => import('./views/certificates/MyCertificatesView.vue'),
    meta: { title: '我的证明', requires: 'citizen' },
  },
  {
    path: '/certificates/new',
    component: () => import('./views/certificates/IssueCertificateView.vue'),
    meta: { title: '申请查档证明', requires: 'citizen' },
  },
  {
    path: '/certificates/:id',
    component: () => import('./views/certificates/CertificateDetailView.vue'),
    props: true,
    meta: { title: '证明详情', requires: 'citizen' },
  },
  {
    path: '/chat',
    component: () => import('./views/ChatView.vue'),
    meta: { title: '智能客服', public: true },
  },
  // The address the service had while it was being built.
  { path: '/consult', redirect: '/chat' },
  {
    path: '/employer/login',
    component: () => import('./views/employer/EmployerLoginView.vue'),
    meta: { title: '单位登录', public: true },
  },
  {
    path: '/employer/apply',
    component: () => import('./views/employer/EmployerApplyView.vue'),
    meta: { title: '单位注册申请', public: true },
  },
  {
    path: '/employer',
    component: () => import('./views/employer/EmployerHomeView.vue'),
    meta: { title: '单位首页', requires: 'employer' },
  },
  // Services with a page of their own; the others show that they are being built.
  ...FEATURES.filter((f) => !['/me', '/lookup', '/visit', '/register', '/certificates', '/chat'].includes(f.path)).map((f) => ({ path: f.path, component: FeatureView, meta: { title: f.title } })),
  { path: '/:pathMatch(.*)*', name: 'not-found', component: NotFoundView, meta: { title: '页面不存在' } },
]

export const router = createRouter({
  history: createWebHistory('/'),
  routes,
  scrollBehavior: () => ({ top: 0 }),
})

/** The log-in page for a page of the portal: employers' pages have their own. */
export function loginFor(back: string): { path: string; query: { redirect: string } } {
  return { path: back.startsWith('/employer') ? '/employer/login' : '/login', query: { redirect: back } }
}

// Pages that need a session of one kind check it before they open.
router.beforeEach(async (to) => {
  if (!to.meta.requires) return true
  const user = await useSession()
    .load()
    .catch(() => null)
  return user?.kind === to.meta.requires ? true : loginFor(to.fullPath)
})
