import { SecretScanner } from '../support/secret-scan.js'
it('measures', async () => {
  const s = new SecretScanner(); s.register('SBPW-aaaaaaaaaaaaaaaaaaaaaaaaaa', 'x')
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now()
    const r = await s.sampleCommandLines(new Promise(res => setTimeout(res, 1000)))
    console.log(`sweeps ${r.sweeps} processes ${r.processes} sweepMs ${r.sweepMilliseconds.toFixed(0)} wall ${(performance.now()-t0).toFixed(0)}`)
  }
  const t1 = performance.now(); const r2 = await s.sampleCommandLines(new Promise(res => setTimeout(res, 1000)), { environment: false })
  console.log(`noenv sweeps ${r2.sweeps} sweepMs ${r2.sweepMilliseconds.toFixed(0)} wall ${(performance.now()-t1).toFixed(0)}`)
})
