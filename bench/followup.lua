-- wrk script for the follow-up bench (bench/bench_email.py). Argument after `--`: a file of
-- ask tokens, one a line. Each request opens GET /r/<token>/<score> for a random token and a
-- random score 0-10, as a person clicking a score in their email would. With `healthz`
-- instead of a file: GET /healthz, the same server's trivial request to compare with.
-- done() prints one JSON line (prefixed "BENCH ") in the format bench_api reads: throughput,
-- latency percentiles, a count per HTTP status and the first answer that was not a 2xx.

local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

local tokens = {}
local healthz = false
statuses = {}
first_failure = nil

function init(args)
  local path = args[1]
  if path == "healthz" then
    healthz = true
    return
  end
  local file = assert(io.open(path or "", "r"), "followup.lua needs a token file: " .. tostring(path))
  for line in file:lines() do
    if line ~= "" then
      table.insert(tokens, line)
    end
  end
  file:close()
  assert(#tokens > 0, "the token file " .. path .. " is empty")
  math.randomseed(id * 7919 + os.time())
end

function request()
  if healthz then
    return wrk.format("GET", "/healthz")
  end
  local path = string.format("/r/%s/%d", tokens[math.random(#tokens)], math.random(0, 10))
  return wrk.format("GET", path)
end

function response(status, headers, body)
  local name = tostring(status)
  statuses[name] = (statuses[name] or 0) + 1
  if (status < 200 or status >= 300) and first_failure == nil then
    first_failure = name .. " " .. string.sub(body or "", 1, 300)
  end
end

local function quote(text)
  return '"' .. string.gsub(text, '[%c"\\]', function(c)
    return string.format("\\u%04x", string.byte(c))
  end) .. '"'
end

function done(summary, latency, requests)
  local counts, failure = {}, nil
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + n
    end
    failure = failure or thread:get("first_failure")
  end
  local parts = {}
  for status, n in pairs(counts) do
    table.insert(parts, string.format('"%s": %d', status, n))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "statuses": {%s}, "socket_errors": %d, '
      .. '"timeouts": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, '
      .. '"first_failure": %s}\n',
    summary.requests, summary.duration, table.concat(parts, ", "),
    e.connect + e.read + e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    failure and quote(failure) or "null"
  ))
end
