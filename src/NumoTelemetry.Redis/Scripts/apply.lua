-- NumoTelemetry fraud state: applies a chunk of state operations atomically, in order, and returns one result per operation.
-- Mirrors InMemoryFraudStateStore to the bit (same arithmetic, same order of floating-point operations).
-- Every key is written through put(), which always sets a TTL (SET ... PX): a key without expiry cannot be made here.
-- KEYS[1], ARGV[1]: the call's applied marker and its TTL: SET NX, and a call already applied (a replay of a call that timed out
-- but ran) returns an empty reply and changes nothing, so every call is applied at most once.
-- KEYS[2..]: the distinct state keys of the chunk. ARGV[2..]: operations, each a kind letter, a key index, then its arguments:
--   I key bucket amount ttl                      (Increment)
--   D key generation element index rank ttl     (AddDistinct; element '' reads)
--   T key atMs windowMs ttl                      (ObserveTiming)
--   X key atMs windowMs observation ttl          (Exchange)
--   M key atMs windowMs element ttl              (AddMember; element '' reads)
--   S key atMs halfLifeMs reason points ttl      (AddScore; reason '' or points <= 0 reads)
-- Values are MessagePack arrays: counter {head, b0..b5}; distinct {generation, current, previous, union count, union register sum, union zero registers} with sketches 's'..records
-- (11 bytes: element, register index, rank) or 'h'..registers (1024 bytes); timing {last, n, mean, var};
-- observation {bytes, expiresMs, atMs}; members {expiresMs, e1..en} (least recent first); score {t, reason1, value1, ...}.

local N = 6
local MAX_SMALL = 64
local MAX_MEMBERS = 32
local R = 1024
local ALPHA = 0.7213 / (1 + (1.079 / R))
local INV = {}
for r = 0, 64 do INV[r] = 1.0 / (2 ^ r) end

local cache = {}
local ttls = {}

local function load(i)
  local s = cache[i]
  if s == nil then
    local raw = redis.call('GET', KEYS[i])
    if raw then s = cmsgpack.unpack(raw) else s = false end
    cache[i] = s
  end
  return s
end

local function put(i, s, ttl)
  cache[i] = s
  local current = ttls[i]
  if current == nil or ttl > current then ttls[i] = ttl end
end

local function drop(i)
  cache[i] = false
  ttls[i] = 0
end

local function fmt(x)
  return string.format('%.17g', x)
end

local function round_even(x)
  local f = math.floor(x)
  local d = x - f
  if d > 0.5 or (d == 0.5 and f % 2 == 1) then return f + 1 end
  return f
end

local function estimate_from(sum, zeros)
  local e = ALPHA * R * R / sum
  if e <= 2.5 * R and zeros > 0 then e = R * math.log(R / zeros) end
  return round_even(e)
end

-- The register sum and zero count of a union (both exact: a sum of 2^-r terms is exactly representable while r <= 42).
local function sum_zeros(regs)
  local sum = 0
  local zeros = 0
  for r = 1, R do
    local v = regs[r]
    sum = sum + INV[v]
    if v == 0 then zeros = zeros + 1 end
  end
  return sum, zeros
end

local function small_count(sk)
  return (#sk - 1) / 11
end

local function is_hll(sk)
  return string.byte(sk, 1) == 104
end

local function merge_into(regs, sk)
  if is_hll(sk) then
    local other = {string.byte(sk, 2, R + 1)}
    for r = 1, R do
      local v = other[r]
      if v > regs[r] then regs[r] = v end
    end
    return
  end
  for j = 0, small_count(sk) - 1 do
    local p = 2 + j * 11
    local hi, lo, rk = string.byte(sk, p + 8, p + 10)
    local ix = hi * 256 + lo + 1
    if rk > regs[ix] then regs[ix] = rk end
  end
end

local function registers_of(sk)
  if is_hll(sk) then return {string.byte(sk, 2, R + 1)} end
  local regs = {}
  for r = 1, R do regs[r] = 0 end
  merge_into(regs, sk)
  return regs
end

local function register_of(sk, ix)
  if is_hll(sk) then return string.byte(sk, ix + 2) end
  local v = 0
  for j = 0, small_count(sk) - 1 do
    local p = 2 + j * 11
    local hi, lo, rk = string.byte(sk, p + 8, p + 10)
    if hi * 256 + lo == ix and rk > v then v = rk end
  end
  return v
end

local function sketch_contains(sk, e)
  local pos = string.find(sk, e, 2, true)
  while pos do
    if (pos - 2) % 11 == 0 then return true end
    pos = string.find(sk, e, pos + 1, true)
  end
  return false
end

-- The distinct count of the union of two sketches; with the union's register sum and zero count when either is a register set.
local function union_count(a, b)
  local na = (not is_hll(a)) and small_count(a) or -1
  local nb = (not is_hll(b)) and small_count(b) or -1
  if na >= 0 and nb >= 0 then
    local n = na
    for j = 0, nb - 1 do
      if not sketch_contains(a, string.sub(b, 2 + j * 11, 9 + j * 11)) then n = n + 1 end
    end
    return n, false, false
  end
  local regs = registers_of(a)
  merge_into(regs, b)
  local sum, zeros = sum_zeros(regs)
  return estimate_from(sum, zeros), sum, zeros
end

local function sketch_add(sk, e, ix, rank)
  if is_hll(sk) then
    if string.byte(sk, ix + 2) >= rank then return sk, false end
    return string.sub(sk, 1, ix + 1) .. string.char(rank) .. string.sub(sk, ix + 3), true
  end
  if sketch_contains(sk, e) then return sk, false end
  if small_count(sk) == MAX_SMALL then
    local regs = registers_of(sk)
    if rank > regs[ix + 1] then regs[ix + 1] = rank end
    local parts = {'h'}
    for r = 1, R, 256 do parts[#parts + 1] = string.char(unpack(regs, r, r + 255)) end
    return table.concat(parts), true
  end
  return sk .. e .. string.char(math.floor(ix / 256), ix % 256, rank), true
end

local function increment(i, b, amount, ttl)
  local s = load(i)
  if not s then
    if amount == 0 then return 0 end -- a read of nothing creates nothing
    s = {false, 0, 0, 0, 0, 0, 0}
  end
  local head = s[1]
  if head == false or b > head then
    local advance = N
    if head ~= false then advance = math.min(N, b - head) end
    for k = 0, advance - 1 do s[((b - k) % N) + 2] = 0 end
    head = b
    s[1] = b
  end
  if b > head - N then
    local slot = (b % N) + 2
    local v = s[slot] + amount
    if v > 2147483647 then v = 2147483647 elseif v < -2147483648 then v = -2147483648 end -- 32-bit buckets
    s[slot] = v
  end
  local sum = 0
  for k = 0, N - 1 do
    local index = b - k
    if index <= head and index > head - N then sum = sum + s[(index % N) + 2] end
  end
  put(i, s, ttl)
  return sum
end

local function distinct(i, g, e, ix, rank, ttl)
  local s = load(i)
  if not s then
    if e == '' then return 0 end -- a read of nothing creates nothing
    s = {false, 's', 's', 0, false, false}
  end
  local gen = s[1]
  if gen == false or g > gen then
    if gen ~= false and g == gen + 1 then
      s[3] = s[2]
    else
      s[3] = 's'
    end
    s[2] = 's'
    s[1] = g
    s[4] = false
    s[5] = false
    gen = g
  end
  local changed = false
  if e ~= '' and (g == gen or g == gen - 1) then
    local side = (g == gen) and 2 or 3
    local before = false
    if s[4] and s[5] then before = math.max(register_of(s[2], ix), register_of(s[3], ix)) end
    s[side], changed = sketch_add(s[side], e, ix, rank)
    if changed then
      if before then
        -- the union's registers already cover both sides: only register ix can have risen
        if rank > before then
          s[5] = s[5] - INV[before] + INV[rank]
          if before == 0 then s[6] = s[6] - 1 end
        end
        s[4] = estimate_from(s[5], s[6])
      else
        s[4] = false
      end
    end
  end
  if not s[4] then s[4], s[5], s[6] = union_count(s[2], s[3]) end
  put(i, s, ttl)
  return s[4] * 2 + (changed and 1 or 0)
end

local function timing(i, at, window, ttl)
  local s = load(i)
  if not s or at - s[1] > window then
    s = {at, 0, 0, 0}
  elseif at >= s[1] then
    local n = s[2] + 1
    local a = 1.0 / n
    if a < 0.05 then a = 0.05 end
    local delta = (at - s[1]) - s[3]
    s[3] = s[3] + a * delta
    s[4] = (1 - a) * (s[4] + a * delta * delta)
    s[2] = n
    s[1] = at
  end
  put(i, s, ttl)
  return s
end

local function exchange(i, at, window, observation, ttl)
  local s = load(i)
  -- an older observation arriving late (another node, a replay) never replaces a newer one: the newer one is the answer
  if s and s[3] and at < s[3] then return s[1] end
  local previous = ''
  if s and s[2] >= at then previous = s[1] end
  put(i, {observation, at + window, at}, ttl)
  return previous
end

local function member(i, at, window, e, ttl)
  local s = load(i)
  if s and s[1] < at then
    if e == '' then
      drop(i)
      return 0
    end
    s = {s[1]}
  end
  if e == '' then
    if not s then return 0 end
    return (#s - 1) * 2
  end
  if not s then s = {0} end
  local n = #s - 1
  for j = 2, n + 1 do
    if s[j] == e then
      table.remove(s, j)
      s[#s + 1] = e
      s[1] = at + window
      put(i, s, ttl)
      return n * 2
    end
  end
  if n == MAX_MEMBERS then
    table.remove(s, 2)
  else
    n = n + 1
  end
  s[#s + 1] = e
  s[1] = at + window
  put(i, s, ttl)
  return n * 2 + 1
end

local function decay(v, elapsed, halfLife)
  if elapsed <= 0 or v == 0 then return v end
  return v * (2 ^ (-elapsed / math.max(1, halfLife)))
end

local function score(i, at, halfLife, reason, points, ttl)
  local adding = reason ~= '' and points > 0
  local s = load(i)
  if not s then
    if not adding then return 0, '' end
    s = {0}
  end
  if at > s[1] then
    local elapsed = 0
    if s[1] ~= 0 then elapsed = at - s[1] end
    for j = 3, #s, 2 do s[j] = decay(s[j], elapsed, halfLife) end
    s[1] = at
  end
  if adding then
    local found = false
    for j = 2, #s, 2 do
      if s[j] == reason then
        if points > s[j + 1] then s[j + 1] = points end
        found = true
        break
      end
    end
    if not found then
      s[#s + 1] = reason
      s[#s + 1] = points
    end
  end
  local total = 0
  local top = 0
  local topReason = ''
  for j = 2, #s, 2 do
    local v = s[j + 1]
    total = total + v
    if v > top then
      top = v
      topReason = s[j]
    end
  end
  put(i, s, ttl)
  return total, topReason
end

if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return {} end

local out = {}
local p = 2
local argc = #ARGV
while p <= argc do
  local kind = ARGV[p]
  local i = tonumber(ARGV[p + 1])
  if kind == 'I' then
    out[#out + 1] = increment(i, tonumber(ARGV[p + 2]), tonumber(ARGV[p + 3]), tonumber(ARGV[p + 4]))
    p = p + 5
  elseif kind == 'D' then
    out[#out + 1] = distinct(i, tonumber(ARGV[p + 2]), ARGV[p + 3], tonumber(ARGV[p + 4]), tonumber(ARGV[p + 5]), tonumber(ARGV[p + 6]))
    p = p + 7
  elseif kind == 'T' then
    local s = timing(i, tonumber(ARGV[p + 2]), tonumber(ARGV[p + 3]), tonumber(ARGV[p + 4]))
    out[#out + 1] = s[2]
    out[#out + 1] = fmt(s[3])
    out[#out + 1] = fmt(s[4])
    p = p + 5
  elseif kind == 'X' then
    out[#out + 1] = exchange(i, tonumber(ARGV[p + 2]), tonumber(ARGV[p + 3]), ARGV[p + 4], tonumber(ARGV[p + 5]))
    p = p + 6
  elseif kind == 'M' then
    out[#out + 1] = member(i, tonumber(ARGV[p + 2]), tonumber(ARGV[p + 3]), ARGV[p + 4], tonumber(ARGV[p + 5]))
    p = p + 6
  elseif kind == 'S' then
    local total, top = score(i, tonumber(ARGV[p + 2]), tonumber(ARGV[p + 3]), ARGV[p + 4], tonumber(ARGV[p + 5]), tonumber(ARGV[p + 6]))
    out[#out + 1] = fmt(total)
    out[#out + 1] = top
    p = p + 7
  else
    return redis.error_reply('numo: unknown operation ' .. tostring(kind))
  end
end

for i, ttl in pairs(ttls) do
  local s = cache[i]
  if s then
    redis.call('SET', KEYS[i], cmsgpack.pack(s), 'PX', ttl)
  else
    redis.call('DEL', KEYS[i])
  end
end

return out
