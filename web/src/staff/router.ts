import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { hasAnyRole } from '@shared/roles'
import { useSession } from '@shared/session'
import { MODULES, PERSON_READERS } from './modules'
import OverviewView from './views/OverviewView.vue'
import ModuleView from './views/ModuleView.vue'
import NotFoundView from './views/NotFoundView.vue'
import LoginView from './views/LoginView.vue'

// Sections that are built have their own view; the others show what they will do.
const VIEWS: Record<string, RouteRecordRaw['component']> = {
  '/users': () => import('./views/UsersView.vue'),
  '/audit': () => import('./views/AuditView.vue'),
  '/employers': () => import('./views/EmployersView.vue'),
  '/persons': () => import('./views/PersonsView.vue'),
  '/appointments': () => import('./views/AppointmentsView.vue'),
  '/appointments/settings': () => import('./views/AppointmentSettingsView.vue'),
  '/certificates': () => import('./views/CertificatesView.vue'),
  '/kb': () => import('./views/KbView.vue'),
  '/kb/unanswered': () => import('./views/UnansweredView.vue'),
  '/support': () => import('./views/SupportView.vue'),
}

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: LoginView, meta: { title: '登录', public: true } },
  { path: '/', name: 'overview', component: OverviewView, meta: { title: '工作台' } },
  ...MODULES.map(
    (m): RouteRecordRaw => ({
      path: m.path,
      component: VIEWS[m.path] ?? ModuleView,
      meta: { title: m.title, ...(m.roles ? { roles: m.roles } : {}) },
    }),
  ),
  {
    path: '/persons/:id',
    component: () => import('./views/PersonView.vue'),
    meta: { title: '人员档案（360°）', roles: PERSON_READERS },
  },
  {
    path: '/forbidden',
    name: 'forbidden',
    component: () => import('./views/ForbiddenView.vue'),
    meta: { title: '无权访问' },
  },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: NotFoundView, meta: { title: '页面不存在' } },
]

export const router = createRouter({ history: createWebHistory('/staff/'), routes })

export function loginFor(back: string): { path: string; query: { redirect: string } } {
  return { path: '/login', query: { redirect: back } }
}

// Every page but the log-in needs a staff session; some sections need a role too.
router.beforeEach(async (to) => {
  if (to.meta.public) return true
  const user = await useSession()
    .load()
    .catch(() => null)
  if (!user || user.kind !== 'staff') return loginFor(to.fullPath)
  if (to.meta.roles && !hasAnyRole(user, to.meta.roles)) return { name: 'forbidden', query: { from: to.fullPath } }
  return true
})
