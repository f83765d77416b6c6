import { collectDeadBuffers } from '../kernel/dead-buffers.js'
import { run } from './main.js'

collectDeadBuffers()
await run()
