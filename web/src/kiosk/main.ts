import { createApp } from 'vue'
import '@shared/theme.css'
import 'vant/es/style/base.css'
import 'vant/es/button/index.css'
import 'vant/es/loading/index.css'
import './kiosk.css'
import App from './App.vue'
import { router } from './router'
import { setupApi } from '@shared/session'
import { syncDocumentTitle } from '@shared/title'

setupApi('kiosk', router, () => '/login')
syncDocumentTitle(router, '自助服务终端')
createApp(App).use(router).mount('#app')
