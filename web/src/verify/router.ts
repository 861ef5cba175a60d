import { createRouter, createWebHistory } from 'vue-router'
import IntroView from './views/IntroView.vue'
import ResultView from './views/ResultView.vue'

export const router = createRouter({
  history: createWebHistory('/v/'),
  routes: [
    { path: '/', name: 'intro', component: IntroView, meta: { title: '查档证明核验' } },
    // The QR code's URL ends in the signed code (whatever characters its encoding uses), or a
    // number typed on the intro page.
    { path: '/:code(.+)', name: 'result', component: ResultView, props: true, meta: { title: '核验结果' } },
  ],
  scrollBehavior: () => ({ top: 0 }),
})
