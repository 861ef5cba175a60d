import { createApp } from 'vue'
import '@shared/theme.css'
import './vant'
import App from './App.vue'
import { router } from './router'
import { syncDocumentTitle } from '@shared/title'

syncDocumentTitle(router)
createApp(App).use(router).mount('#app')
