-- wrk script: each request from one of N distinct clients, as on a real site, so that per-client caches miss.
--
--   wrk -t1 -c16 -d8s -s many-clients.lua http://127.0.0.1:5099/ -- [clients [seed [pace]]]
--
-- pace (milliseconds, default 0): each connection waits that long after each response before its next request, so a
-- server is measured at a steady rate below saturation (about connections * 1000 / pace requests a second) instead of
-- as fast as it can answer.
--
-- Client i in [0, clients) (default 200,000) has, derived from i alone:
--   * its own IPv4 address in X-Forwarded-For, which a server trusts from its loopback proxy (traffic only ever goes
--     to the URL given to wrk; the address is a header value). Addresses come from ranges that are never routed on the
--     Internet: 10.0.0.0/8, 100.64.0.0/10 (shared), 172.16.0.0/12, 198.18.0.0/15 (benchmarking) and 192.168.0.0/16,
--     one fifth each, spread over every /16 of each range. With 200,000 clients that is fewer than one client per
--     /24 in 10.0.0.0/8 and about 2, 10, 78 and 156 per /24 in the others, as behind carrier NAT.
--     Distinct for up to 327,680 clients; past that, clients of 192.168.0.0/16 share addresses, as behind a NAT.
--   * its own ASP.NET Core session cookie and numo_vid visitor cookie. The visitor cookie has the shape of one the
--     server issues but is not signed with its key, so it does not verify (as for a first visit or a cookie from
--     another site): the server checks it on every request, then uses the cookieless visitor id.
--   * one of 40 browsers (User-Agent) and one of 8 Accept-Language values.
-- Each request picks its client uniformly from a seeded counter (Park-Miller), so over a run most requests come from
-- clients seen only a few times, and one of 320 pages. Runs with the same seed send the same requests in the same order.
-- Each client's header block is built once, on its first request, and reused: the script stays cheap for wrk.

local clients = 200000
local state = 1
local blocks = {}
local paths = {}
local host = "127.0.0.1"

local user_agents = {
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36",
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0",
  "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
  "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Safari/605.1.15",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 16_7_10 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/133.0 Mobile/15E148 Safari/605.1.15",
  "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36",
  "Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Linux; Android 12; SAMSUNG SM-G991B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0",
  "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 EdgA/131.0.0.0",
  "Mozilla/5.0 (Linux; Android 11; Redmi Note 9 Pro) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 OPR/115.0.0.0",
  "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 Safari/537.36",
}

local languages = {
  "en-US,en;q=0.9", "en-GB,en;q=0.9", "de-DE,de;q=0.9,en;q=0.8", "fr-FR,fr;q=0.9,en;q=0.8",
  "es-ES,es;q=0.9", "ja-JP,ja;q=0.9,en;q=0.8", "pt-BR,pt;q=0.9,en;q=0.8", "nl-NL,nl;q=0.9,en;q=0.8",
}

-- The never-routed IPv4 ranges: first octet, second octet base, bits below the first octet's byte.
local ranges = { { 10, 0, 24 }, { 100, 64, 22 }, { 172, 16, 20 }, { 198, 18, 17 }, { 192, 168, 16 } }

local floor = math.floor
local format = string.format

-- A fixed 32-bit mix of n (n < 2^32; integer arithmetic exact in doubles: every product stays below 2^53).
local function mix(n)
  local x = (n * 40503 + 0x3c6ef372) % 4294967296
  x = (x * 1664525 % 4294967296 + floor(x / 65536)) % 4294967296
  return (x * 1103515 % 4294967296 + floor(x / 8192)) % 4294967296
end

-- Lowercase hex digits derived from i and salt (base64url characters, as in the cookies a server sets): 120 for a
-- session cookie, 40 for a visitor cookie, 8 for a page.
local hex15 = string.rep("%08x", 15)
local function token(i, salt, n)
  local x = i * 131 + salt * 29
  if n == 15 then
    return format(hex15, mix(x + 1), mix(x + 2), mix(x + 3), mix(x + 4), mix(x + 5), mix(x + 6), mix(x + 7), mix(x + 8),
      mix(x + 9), mix(x + 10), mix(x + 11), mix(x + 12), mix(x + 13), mix(x + 14), mix(x + 15))
  elseif n == 5 then
    return format("%08x%08x%08x%08x%08x", mix(x + 1), mix(x + 2), mix(x + 3), mix(x + 4), mix(x + 5))
  end
  return format("%08x", mix(x + 1))
end

local function address(i)
  local r = ranges[i % 5 + 1]
  local j = floor(i / 5)
  local bits = r[3]
  local size = 2 ^ bits
  local k = (j * 40503 + 12345) % size -- odd multiplier: a bijection modulo a power of two
  local high = floor(k / 65536)
  return format("%d.%d.%d.%d", r[1], r[2] + high, floor(k / 256) % 256, k % 256)
end

local function block(i)
  local h = mix(i)
  return format("X-Forwarded-For: %s\r\nCookie: .AspNetCore.Session=CfDJ8%s; numo_vid=%s\r\nUser-Agent: %s\r\nAccept-Language: %s\r\n",
    address(i), token(i, 1, 15), token(i, 2, 5):sub(1, 38), user_agents[h % #user_agents + 1], languages[floor(h / 256) % #languages + 1])
end

local thread_count = 0

function setup(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
end

function init(args)
  clients = tonumber(args[1]) or clients
  local seed = tonumber(args[2]) or 1
  local pace = tonumber(args[3]) or 0
  if pace > 0 then
    -- wrk looks for a global delay() after init; without one it sends each request as soon as the last is answered
    delay = function() return pace end
  end
  state = (mix(seed * 7919 + (thread_index or 0)) % 2147483646) + 1
  host = wrk.headers["Host"] or host
  local sections = { "products", "blog", "docs", "category", "help" }
  for p = 0, 319 do
    local s = sections[p % #sections + 1]
    if p == 0 then
      paths[#paths + 1] = "/"
    elseif p % 40 == 0 then
      paths[#paths + 1] = format("/%s/offer-%d?utm_source=newsletter&utm_medium=email&utm_campaign=spring-%d", s, p, p % 7)
    else
      paths[#paths + 1] = format("/%s/%s-%d", s, token(p, 3, 1), p)
    end
  end
end

function request()
  state = state * 48271 % 2147483647 -- Park-Miller: exact in doubles
  local i = state % clients
  local b = blocks[i + 1]
  if not b then
    b = block(i)
    blocks[i + 1] = b
  end
  local path = paths[floor(state / 4096) % #paths + 1]
  return "GET " .. path .. " HTTP/1.1\r\nHost: " .. host .. "\r\n" .. b .. "\r\n"
end
