-- wrk script: Flexible Savings confirmations, each with a one-time key of its own.
-- Set by bench/run.py before this file: path, body (without the key), headers.
local counter = 0
local thread_id = 0
setup = function(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end
request = function()
  counter = counter + 1
  return wrk.format("POST", path, headers, body .. "&key=bench-" .. tid .. "-" .. counter)
end
