-- wrk script for bench/web_load.py: random overview and area pages, fixed seed; prints p50/p95 at the end.
math.randomseed(20191125)
local codes = {}
for c in string.gmatch(os.getenv("RAADERUM_CODES") or "751", "%d+") do table.insert(codes, c) end
local areas = {"dagtilbud", "folkeskole", "sfo", "specialundervisning", "udsatte_boern", "aeldre", "sundhed",
               "beskaeftigelse", "administration", "kultur_fritid", "veje_trafik"}
local mode = os.getenv("RAADERUM_MODE") or "mixed"
request = function()
  local c = codes[math.random(#codes)]
  if mode == "overview" or (mode == "mixed" and math.random() < 0.5) then
    return wrk.format("GET", "/kommune/" .. c)
  end
  return wrk.format("GET", "/kommune/" .. c .. "/omraade/" .. areas[math.random(#areas)])
end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
                 + summary.errors.status
  io.write(string.format("RESULT %d %.3f %.1f %.1f %.1f %d\n", summary.requests, summary.duration / 1e6,
           latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency.max / 1000, errors))
end
