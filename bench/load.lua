-- wrk script for bench/bench_api.py. Arguments after `--`:
--   healthz                  GET /healthz
--   post KEY SURVEY[,SURVEY] POST /api/v1/responses with varied contacts, scores and channels
--   post-new KEY SURVEY[,SURVEY] RUN
--                            the same, but each from a contact never seen before: external ids
--                            "RUN-<thread>-<n>", RUN unique to the run
-- done() prints one JSON line (prefixed "BENCH ") with throughput, latency percentiles and
-- a count per HTTP status, plus the first failing answer to tell what went wrong.

local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

local mode, key, surveys, run
local sent = 0
local channels = { "email", "in-app", "link" }
statuses = {}
first_failure = nil

function init(args)
  mode = args[1] or "healthz"
  key = args[2]
  run = args[4]
  surveys = {}
  for survey in string.gmatch(args[3] or "", "[^,]+") do
    table.insert(surveys, survey)
  end
  math.randomseed(id * 7919 + os.time())
end

function request()
  if mode == "healthz" then
    return wrk.format("GET", "/healthz")
  end
  local contact
  if mode == "post-new" then
    sent = sent + 1
    contact = string.format("%s-%d-%d", run, id, sent)
  else
    contact = string.format("bench-%d", math.random(1, 20000))
  end
  local body = string.format(
    '{"survey": %s, "score": %d, "channel": "%s", "contact": {"external_id": "%s"}%s}',
    surveys[math.random(#surveys)],
    math.random(0, 10),
    channels[math.random(#channels)],
    contact,
    math.random(4) == 1 and ', "comment": "Fast, reliable \\"and\\" friendly"' or ""
  )
  return wrk.format("POST", "/api/v1/responses", {
    ["Authorization"] = "Bearer " .. key,
    ["Content-Type"] = "application/json",
  }, body)
end

function response(status, headers, body)
  local name = tostring(status)
  statuses[name] = (statuses[name] or 0) + 1
  if status >= 300 and first_failure == nil then
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
    local seen = thread:get("statuses")
    for status, n in pairs(seen) do
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
