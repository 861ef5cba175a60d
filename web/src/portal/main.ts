import { createApp } from 'vue'
import '@shared/theme.css'
import './vant'
import App from './App.vue'
import { loginFor, router } from './router'
import { setupApi } from '@shared/session'
import { syncDocumentTitle } from '@shared/title'

// The same pages serve browsers and WeChat / phones; the channel tells the audit log which.
const mobile = /MicroMessenger|Android|iPhone|iPad|Mobile/i.test(navigator.userAgent)
setupApi(mobile ? 'mobile' : 'web', router, loginFor)
syncDocumentTitle(router)
createApp(App).use(router).mount('#app')
