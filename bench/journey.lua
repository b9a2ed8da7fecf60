-- wrk script: a mixed journey. bench/journey.py writes `steps` before this file: a list of
-- {method, path, headers, body} that each connection walks in order from its own start.
local i = 0
init = function(args)
  i = math.random(#steps) - 1
end
request = function()
  i = i % #steps + 1
  local step = steps[i]
  return wrk.format(step[1], step[2], step[3], step[4])
end
