'use strict'
// Runs uap-ref-impl over User-Agents and prints one JSON line per UA, for the .NET parity test.
//   node parity.js --corpus            prints the real-world corpus (one UA per line)
//   node parity.js [--regexes FILE]    reads UAs on stdin, writes {"ua","ua_":{...},"os":{...},"device":{...}}
const fs = require('fs')
const path = require('path')
const readline = require('readline')
const { realWorldCorpus } = require('./corpus')

const args = process.argv.slice(2)
if (args.includes('--corpus')) {
  process.stdout.write(realWorldCorpus().join('\n') + '\n')
  process.exit(0)
}

const regexesAt = args.indexOf('--regexes')
const regexesFile = regexesAt >= 0 ? args[regexesAt + 1] : path.join(path.dirname(require.resolve('uap-core/package.json')), 'regexes.yaml')
const regexes = require('js-yaml').load(fs.readFileSync(regexesFile, 'utf8'))
const parser = require('uap-ref-impl')(regexes)

const out = []
readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
  .on('line', line => {
    if (line.length === 0) return
    const r = parser.parse(line)
    out.push(JSON.stringify({ ua: line, browser: r.ua, os: r.os, device: r.device }))
  })
  .on('close', () => process.stdout.write(out.join('\n') + '\n'))
