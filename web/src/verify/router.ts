import { createRouter, createWebHistory } from 'vue-router'
import IntroView from './views/IntroView.vue'
import ResultView from './views/ResultView.vue'

export const router = createRouter({
  history: createWebHistory('/v/'),
  routes: [
    { path: '/', name: 'intro', component: IntroView, meta: { title: '查档证明核验' } },
    { path: '/:code', name: 'result', component: ResultView, props: true, meta: { title: '核验结果' } },
    { path: '/:pathMatch(.*)*', redirect: '/' },
  ],
})
