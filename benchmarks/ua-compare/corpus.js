'use strict'
// The uap-core corpus: every distinct user_agent_string of v0.18.0's tests/*.yaml and
// test_resources/*.yaml in ../shared/testdata beside the repository (same order as the .NET side).
const fs = require('fs')
const path = require('path')
const yaml = require('js-yaml')

function findUapCore () {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'shared', 'testdata', 'uap-core')
    if (fs.existsSync(candidate)) return candidate
    if (path.dirname(dir) === dir) return null
  }
}

function uapCorpus () {
  const root = findUapCore()
  if (!root) {
    throw new Error('The uap-core corpus was not found: ../shared/testdata/uap-core must sit beside the repository (it is not part of the repo).')
  }
  const files = []
  for (const sub of ['tests', 'test_resources']) {
    const dir = path.join(root, 'v0.18.0', sub)
    for (const f of fs.readdirSync(dir)) if (f.endsWith('.yaml')) files.push(path.join(dir, f))
  }
  files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const seen = new Set()
  const result = []
  for (const file of files) {
    const doc = yaml.load(fs.readFileSync(file, 'utf8'))
    for (const c of doc.test_cases) {
      const ua = c.user_agent_string
      if (typeof ua === 'string' && ua.length > 0 && !ua.includes('\n') && !seen.has(ua)) {
        seen.add(ua)
        result.push(ua)
      }
    }
  }
  return result
}

// Real User-Agents from outside uap-core's tests: the most common browser UAs (top-user-agents)
// and every example instance of crawler-user-agents.
function realWorldCorpus () {
  const seen = new Set()
  const result = []
  const add = ua => { if (typeof ua === 'string' && ua.length > 0 && !ua.includes('\n') && !seen.has(ua)) { seen.add(ua); result.push(ua) } }
  for (const ua of require('top-user-agents')) add(ua)
  for (const ua of require('top-user-agents/mobile')) add(ua)
  for (const ua of require('top-user-agents/desktop')) add(ua)
  for (const entry of require('crawler-user-agents')) for (const ua of entry.instances || []) add(ua)
  return result
}

module.exports = { uapCorpus, realWorldCorpus, findUapCore }
