-- NumoTelemetry fraud lists: stores one allow/deny entry and tells every node.
-- KEYS[1]: the lists hash ({prefix}:lists). KEYS[2]: the subject's shared score key ({prefix}:{kind}:{subject}:score).
-- ARGV: id, entry JSON, most entries, only-if-absent ('1'/'0'), channel, allowed rule ('' for none, '*' for every rule).
-- Returns 1 stored, 0 kept the entry already stored (only-if-absent), -1 full.
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  if ARGV[4] == '1' then return 0 end
elseif redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then
  return -1
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
-- An allow entry takes its rule's points (every point for '*') out of the subject's shared score, so no node enforces them.
local rule = ARGV[6]
if rule == '*' then
  redis.call('DEL', KEYS[2])
elseif rule ~= '' then
  local raw = redis.call('GET', KEYS[2])
  if raw then
    local s = cmsgpack.unpack(raw)
    local kept = {s[1]}
    for j = 2, #s, 2 do
      if s[j] ~= rule then
        kept[#kept + 1] = s[j]
        kept[#kept + 1] = s[j + 1]
      end
    end
    redis.call('SET', KEYS[2], cmsgpack.pack(kept), 'KEEPTTL')
  end
end
redis.call('PUBLISH', ARGV[5], 'put ' .. ARGV[1])
return 1
