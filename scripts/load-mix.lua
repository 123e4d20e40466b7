-- The load test's mix (scripts/load): 60% directory searches, 25% profile reads, 10% agenda reads and
-- 5% profile edits by an administrator. Ids come from the file named by LOAD_IDS (one per line:
-- "org <id>" or "agenda <path>"); the token from LOAD_TOKEN.
local searches = {
  "/api/v1/organisations/search?q=housing",
  "/api/v1/organisations/search?q=legal%20aid&town=Leeds&radius_km=30&theme=housing",
  "/api/v1/organisations/search?town=Coventry&sort=distance&limit=10",
  "/api/v1/organisations/search?bbox=52.3,-1.7,52.6,-1.3",
  "/api/v1/organisations/search?q=eritrean%20women&town=Sheffield&radius_km=50",
  "/api/v1/organisations/search?theme=youth&near=51.5,-0.12&radius_km=10",
}
local organisations, agendas = {}, {}
for line in io.lines(os.getenv("LOAD_IDS")) do
  local kind, value = line:match("^(%S+) (%S+)$")
  if kind == "org" then table.insert(organisations, value) else table.insert(agendas, value) end
end
local token = os.getenv("LOAD_TOKEN")
local i = 0

request = function()
  i = i + 1
  local roll = i % 20
  if roll < 12 then
    return wrk.format("GET", searches[(i % #searches) + 1])
  elseif roll < 17 then
    return wrk.format("GET", "/api/v1/organisations/" .. organisations[(i % #organisations) + 1])
  elseif roll < 19 then
    return wrk.format("GET", agendas[(i % #agendas) + 1])
  else
    local body = '{"description": "Advice, English classes and solidarity; edit ' .. i .. '"}'
    return wrk.format("PATCH", "/api/v1/organisations/" .. organisations[(i % #organisations) + 1],
      {["authorization"] = "Bearer " .. token, ["content-type"] = "application/json"}, body)
  end
end

local failed = 0
response = function(status)
  if status >= 400 then failed = failed + 1 end
end

done = function(summary, latency)
  io.write(string.format("requests %d, errors %d, p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
