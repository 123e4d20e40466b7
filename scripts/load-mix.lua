-- The load test's mix (scripts/load): 60% directory searches, 25% profile reads, 10% agenda reads and
-- 5% profile edits by an administrator, each with If-Match. Ids come from the file named by LOAD_IDS (one
-- per line: "org <id> <version>" or "agenda <path>"); the token from LOAD_TOKEN. Each thread edits its own
-- half of the organisations in turn, counting their versions up as it goes.
local searches = {
  "/api/v1/organisations/search?q=housing",
  "/api/v1/organisations/search?q=legal%20aid&town=Leeds&radius_km=30&theme=housing",
  "/api/v1/organisations/search?town=Coventry&sort=distance&limit=10",
  "/api/v1/organisations/search?bbox=52.3,-1.7,52.6,-1.3",
  "/api/v1/organisations/search?q=eritrean%20women&town=Sheffield&radius_km=50",
  "/api/v1/organisations/search?theme=youth&near=51.5,-0.12&radius_km=10",
}
local organisations, versions, agendas = {}, {}, {}
for line in io.lines(os.getenv("LOAD_IDS")) do
  local kind, value, version = line:match("^(%S+) (%S+) ?(%d*)$")
  if kind == "org" then
    table.insert(organisations, value)
    versions[value] = tonumber(version)
  else
    table.insert(agendas, value)
  end
end
local token = os.getenv("LOAD_TOKEN")
local i, edits = 0, 0
local threads = 0

setup = function(thread)
  thread:set("part", threads)
  threads = threads + 1
end

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
    local id = organisations[part + 2 * (edits % math.floor(#organisations / 2)) + 1]
    edits = edits + 1
    local body = '{"description": "Advice, English classes and solidarity; edit ' .. i .. '"}'
    local headers = {["authorization"] = "Bearer " .. token, ["content-type"] = "application/json",
      ["if-match"] = '"' .. versions[id] .. '"'}
    versions[id] = versions[id] + 1
    return wrk.format("PATCH", "/api/v1/organisations/" .. id, headers, body)
  end
end

done = function(summary, latency)
  io.write(string.format("requests %d, errors %d, p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
