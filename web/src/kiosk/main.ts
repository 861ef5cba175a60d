import { createApp } from 'vue'
import '@shared/theme.css'
import 'vant/es/style/base.css'
import 'vant/es/button/index.css'
import './kiosk.css'
import App from './App.vue'
import { router } from './router'
import { syncDocumentTitle } from '@shared/title'

syncDocumentTitle(router, '自助服务终端')
createApp(App).use(router).mount('#app')
