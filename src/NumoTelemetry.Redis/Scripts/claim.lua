-- NumoTelemetry fleet alert de-duplication: the first node to claim (subject, rule) owns its notifications for ARGV[2] ms.
-- KEYS[1]: the claim key. ARGV[1]: this node's random instance id. ARGV[2]: hold time in ms (always set: SET ... PX).
local owner = redis.call('GET', KEYS[1])
if not owner then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if owner == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
