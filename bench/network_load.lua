-- wrk script for bench/network_load.py: logged-in GETs, a random (session cookie, path) pair per request from
-- RAADERUM_PAIRS ("cookie|path" separated by newlines); fixed seed; prints p50/p95 at the end.
math.randomseed(20271)
local pairs_ = {}
for line in string.gmatch(os.getenv("RAADERUM_PAIRS") or "", "[^\n]+") do
  local cookie, path = string.match(line, "^(.-)|(.*)$")
  table.insert(pairs_, {cookie, path})
end
request = function()
  local p = pairs_[math.random(#pairs_)]
  return wrk.format("GET", p[2], {Cookie = p[1]})
end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
                 + summary.errors.status
  io.write(string.format("RESULT %d %.3f %.1f %.1f %.1f %d\n", summary.requests, summary.duration / 1e6,
           latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency.max / 1000, errors))
end
