import { createApp } from 'vue'
import '@shared/theme.css'
import 'vant/es/style/base.css'
import 'vant/es/button/index.css'
import 'vant/es/cell/index.css'
import 'vant/es/cell-group/index.css'
import 'vant/es/field/index.css'
import 'vant/es/loading/index.css'
import 'vant/es/tag/index.css'
import App from './App.vue'
import { router } from './router'
import { syncDocumentTitle } from '@shared/title'

syncDocumentTitle(router)
createApp(App).use(router).mount('#app')
