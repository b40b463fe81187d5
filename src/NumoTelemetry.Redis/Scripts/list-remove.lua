-- NumoTelemetry fraud lists: removes one entry and tells every node. KEYS[1]: the lists hash. ARGV: id, channel.
-- Returns 1 removed, 0 not stored.
local removed = redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('PUBLISH', ARGV[2], 'del ' .. ARGV[1])
return removed
