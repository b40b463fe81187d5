'use strict'
// Times, on the same uap-core corpus and in the same run: NumoTelemetry.UserAgents (through
// `numo ua --timing`), uap-ref-impl (running uap-core 0.18.0's regexes) and ua-parser-js; prints ratios.
//   npm ci && node run.js [--numo "dotnet path/to/numo.dll"]
const fs = require('fs')
const path = require('path')
const { execFileSync, spawnSync } = require('child_process')
const { uapCorpus } = require('./corpus')

const repo = path.resolve(__dirname, '..', '..')
const corpus = uapCorpus()
console.log(`corpus: ${corpus.length} distinct User-Agents from uap-core v0.18.0's test files\n`)

function timeParser (name, create, parse) {
  let t = process.hrtime.bigint()
  const parser = create()
  const readyMs = Number(process.hrtime.bigint() - t) / 1e6
  t = process.hrtime.bigint()
  parse(parser, corpus[0])
  const firstParseMs = Number(process.hrtime.bigint() - t) / 1e6
  for (const ua of corpus) parse(parser, ua) // warm-up pass (JIT)
  const times = new Float64Array(corpus.length)
  const cpuBefore = process.cpuUsage()
  const total = process.hrtime.bigint()
  for (let i = 0; i < corpus.length; i++) {
    const s = process.hrtime.bigint()
    parse(parser, corpus[i])
    times[i] = Number(process.hrtime.bigint() - s) / 1e3
  }
  const totalUs = Number(process.hrtime.bigint() - total) / 1e3
  const cpu = process.cpuUsage(cpuBefore)
  times.sort()
  const pct = p => times[Math.min(times.length - 1, Math.floor(p * times.length))]
  return { engine: name, readyMs, firstParseMs, uncachedMeanUs: totalUs / corpus.length, uncachedCpuMeanUs: (cpu.user + cpu.system) / corpus.length, uncachedP50Us: pct(0.5), uncachedP99Us: pct(0.99), uncachedMaxUs: times[times.length - 1] }
}

function timeNumo () {
  const numoArg = process.argv.indexOf('--numo')
  let command, args
  if (numoArg >= 0) {
    [command, ...args] = process.argv[numoArg + 1].split(' ')
  } else {
    execFileSync('dotnet', ['build', '-c', 'Release', path.join(repo, 'src', 'NumoTelemetry.Cli'), '-v', 'q', '-nologo'], { stdio: 'inherit' })
    command = 'dotnet'
    args = [path.join(repo, 'src', 'NumoTelemetry.Cli', 'bin', 'Release', 'net10.0', 'numo.dll')]
  }
  const result = spawnSync(command, [...args, 'ua', '--timing'], { input: corpus.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 26 })
  if (result.status !== 0) throw new Error(`numo ua --timing failed: ${result.stderr}`)
  return JSON.parse(result.stdout)
}

const numo = timeNumo()
const regexes = require('js-yaml').load(fs.readFileSync(path.join(path.dirname(require.resolve('uap-core/package.json')), 'regexes.yaml'), 'utf8'))
const ref = timeParser('uap-ref-impl 0.3.1', () => require('uap-ref-impl')(regexes), (p, ua) => p.parse(ua))
const UAParser = require('ua-parser-js')
const uajs = timeParser('ua-parser-js 1.0.41', () => new UAParser(), (p, ua) => { p.setUA(ua); return p.getResult() })

const rows = [numo, ref, uajs]
const f = (v, d = 1) => (v === undefined ? '-' : v.toFixed(d))
console.log('engine                     ready ms  first ms  mean µs  cpu µs   p50 µs   p99 µs   max µs  B/parse  cached hit')
for (const r of rows) {
  console.log(`${r.engine.padEnd(26)} ${f(r.readyMs).padStart(8)} ${f(r.firstParseMs, 2).padStart(9)} ${f(r.uncachedMeanUs, 2).padStart(8)} ${f(r.uncachedCpuMeanUs, 2).padStart(7)} ${f(r.uncachedP50Us, 2).padStart(8)} ${f(r.uncachedP99Us, 2).padStart(8)} ${f(r.uncachedMaxUs, 0).padStart(8)} ${f(r.uncachedBytesPerParse, 0).padStart(8)} ${r.cachedHitNs === undefined ? '-' : r.cachedHitNs.toFixed(0) + ' ns, ' + r.cachedHitBytes.toFixed(0) + ' B'}`)
}
console.log('')
for (const other of [ref, uajs]) {
  console.log(`NumoTelemetry vs ${other.engine}: ${(other.uncachedMeanUs / numo.uncachedMeanUs).toFixed(1)}x faster per uncached parse (mean wall clock), ${(other.uncachedCpuMeanUs / numo.uncachedCpuMeanUs).toFixed(1)}x (mean CPU time), ${(other.uncachedP99Us / numo.uncachedP99Us).toFixed(1)}x at p99`)
}
