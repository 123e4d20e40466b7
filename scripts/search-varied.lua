-- Directory searches that (almost) never repeat, so no answer can come from the service's recent answers:
-- each request is a random point in Great Britain with a random radius and theme, half of them with words,
-- every answer with facet counts. The worst case for the search itself; scripts/search-mix.lua is the
-- repeated-searches case.
local themes = { "housing", "legal%20aid", "detention", "health%20access", "destitution", "youth", "women",
  "climate%20justice", "workplace%20rights", "mental%20health", "english%20classes", "arts" }
local words = { "advice", "women", "refugee", "eritrean", "roma", "drop-in", "solidarity", "english",
  "kurdish", "youth" }

setup = function(thread)
  thread:set("seed", math.random(1, 1000000))
end

init = function()
  math.randomseed(seed)
end

request = function()
  local lat = 50.5 + math.random() * 4.5
  local lon = -4.0 + math.random() * 5.5
  local path = string.format("/api/v1/organisations/search?near=%.4f,%.4f&radius_km=%d&theme=%s",
    lat, lon, math.random(5, 60), themes[math.random(#themes)])
  if math.random() < 0.5 then
    path = path .. "&q=" .. words[math.random(#words)]
  end
  return wrk.format("GET", path)
end
