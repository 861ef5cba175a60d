// Vant styles for the components the portal uses. Each component's CSS is imported directly
// rather than through vant/es/*/style, which would also pull in the icon font: that font is a
// data: URL, which the server's CSP (font-src falls back to 'self') refuses. Icons are SVG.
import 'vant/es/style/base.css'
import 'vant/es/badge/index.css'
import 'vant/es/button/index.css'
import 'vant/es/cell/index.css'
import 'vant/es/cell-group/index.css'
import 'vant/es/field/index.css'
import 'vant/es/grid/index.css'
import 'vant/es/grid-item/index.css'
import 'vant/es/loading/index.css'
import 'vant/es/nav-bar/index.css'
import 'vant/es/notice-bar/index.css'
import 'vant/es/tabbar/index.css'
import 'vant/es/tabbar-item/index.css'
import 'vant/es/tag/index.css'
