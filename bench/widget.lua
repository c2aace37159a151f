-- wrk script for the widget bench (bench/bench_widget.py). Arguments after `--`:
--   healthz          GET /healthz
--   check BODIES     POST /widget/v1/check with the body of a random user: BODIES is the file
--                    bench/widget_fixture.py wrote, one JSON body a line (key, device, user
--                    with their properties, userHash, url)
-- Each check carries the headers a browser's fetch from the customer's app would: the page's
-- Origin (allowed in the workspace's settings), JSON content type and Accept-Language.
-- done() prints one JSON line (prefixed "BENCH ") in the format bench_api reads: throughput,
-- latency percentiles, a count per HTTP status, the first answer that was not a 2xx, and
-- a count per answer ("show", or the reason it was not shown).

local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

local mode
local bodies = {}
local headers = {
  ["Content-Type"] = "application/json",
  ["Origin"] = "https://app.example.com",
  ["Accept-Language"] = "en-US,en;q=0.9",
}
statuses = {}
answers = {}
first_failure = nil

function init(args)
  mode = args[1] or "healthz"
  if mode == "check" then
    local path = args[2]
    local file = assert(io.open(path or "", "r"), "widget.lua check needs a body file: " .. tostring(path))
    for line in file:lines() do
      if line ~= "" then
        table.insert(bodies, line)
      end
    end
    file:close()
    assert(#bodies > 0, "the body file " .. path .. " is empty")
  end
  math.randomseed(id * 7919 + os.time())
end

function request()
  if mode == "healthz" then
    return wrk.format("GET", "/healthz")
  end
  return wrk.format("POST", "/widget/v1/check", headers, bodies[math.random(#bodies)])
end

function response(status, _, body)
  local name = tostring(status)
  statuses[name] = (statuses[name] or 0) + 1
  if status < 200 or status >= 300 then
    if first_failure == nil then
      first_failure = name .. " " .. string.sub(body or "", 1, 300)
    end
    return
  end
  if mode == "check" then
    local answer
    if string.find(body, '"show": true', 1, true) then
      answer = "show"
    else
      answer = string.match(body, '"reason": "([^"]*)"') or "unreadable"
    end
    answers[answer] = (answers[answer] or 0) + 1
  end
end

local function quote(text)
  return '"' .. string.gsub(text, '[%c"\\]', function(c)
    return string.format("\\u%04x", string.byte(c))
  end) .. '"'
end

local function counts_json(name)
  local counts = {}
  for _, thread in ipairs(threads) do
    for key, n in pairs(thread:get(name)) do
      counts[key] = (counts[key] or 0) + n
    end
  end
  local parts = {}
  for key, n in pairs(counts) do
    table.insert(parts, string.format("%s: %d", quote(key), n))
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

function done(summary, latency, requests)
  local failure = nil
  for _, thread in ipairs(threads) do
    failure = failure or thread:get("first_failure")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "statuses": %s, "answers": %s, '
      .. '"socket_errors": %d, "timeouts": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "first_failure": %s}\n',
    summary.requests, summary.duration, counts_json("statuses"), counts_json("answers"),
    e.connect + e.read + e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    failure and quote(failure) or "null"
  ))
end
