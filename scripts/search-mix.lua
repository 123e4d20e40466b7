-- A mix of directory searches: words, words near a town with a theme, nearest, a bounding box.
local paths = {
  "/api/v1/organisations/search?q=housing",
  "/api/v1/organisations/search?q=legal%20aid&town=Leeds&radius_km=30&theme=housing",
  "/api/v1/organisations/search?town=Coventry&sort=distance&limit=10",
  "/api/v1/organisations/search?bbox=52.3,-1.7,52.6,-1.3",
  "/api/v1/organisations/search?q=eritrean%20women&town=Sheffield&radius_km=50",
  "/api/v1/organisations/search?theme=youth&near=51.5,-0.12&radius_km=10",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
