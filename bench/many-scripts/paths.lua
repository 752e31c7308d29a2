-- wrk: POST {"name":"bench"} round-robin over the webhook paths of a file (one a line, given after --); each
-- thread starts at its own offset, so that the connections spread over all of them from the first second. The
-- summary line counts answers that were not 2xx/3xx and the socket errors.
wrk.method = "POST"
wrk.body = '{"name":"bench"}'
wrk.headers["Content-Type"] = "application/json"

local threads = 0
function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end

local paths = {}
local i = 0
function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then paths[#paths + 1] = line end
  end
  assert(#paths > 0, "no paths in " .. tostring(args[1]))
  -- two threads: one starts at the first path, the other half way round
  i = ((offset or 0) * math.floor(#paths / 2)) % #paths
end

function request()
  i = i % #paths + 1
  return wrk.format(nil, paths[i])
end

function done(summary, latency, requests)
  io.write(string.format("non-2xx/3xx: %d, socket errors: connect %d read %d write %d timeout %d\n",
    summary.errors.status, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
end
