-- wrk script: walk a list of prepared requests round-robin (each thread from its own offset),
-- optional think time per request, count status codes, write the figures as JSON.
-- The list is a TSV file (BENCH_REQUESTS): method, path, cookie, csrf token, body, hx (0/1).
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local reqs = {}
local idx = 1
local think_lo, think_hi = nil, nil
statuses = {}

local function split(line)
  local out = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do table.insert(out, field) end
  return out
end

function init(args)
  for line in io.lines(os.getenv("BENCH_REQUESTS")) do
    local f = split(line)
    local headers = {}
    if f[3] ~= "" then headers["Cookie"] = f[3] end
    if f[4] ~= "" then headers["X-CSRFToken"] = f[4] end
    if f[5] ~= "" then headers["Content-Type"] = "application/x-www-form-urlencoded" end
    if f[6] == "1" then headers["HX-Request"] = "true" end
    local body = nil
    if f[5] ~= "" then body = f[5] end
    table.insert(reqs, wrk.format(f[1], f[2], headers, body))
  end
  local nthreads = tonumber(os.getenv("BENCH_THREADS") or "2")
  idx = (id * math.floor(#reqs / nthreads)) % #reqs + 1
  local think = os.getenv("BENCH_THINK") or ""
  local lo, hi = think:match("(%d+),(%d+)")
  if lo then think_lo, think_hi = tonumber(lo), tonumber(hi) end
  math.randomseed(1000 + id)
end

function request()
  local r = reqs[idx]
  idx = idx % #reqs + 1
  return r
end

-- wrk calls delay() before every request, the first one of each new connection included; a
-- user's browser sends its first request as soon as it connects, so those go at once (and the
-- server keeps connections alive longer than the longest think time).
local first_calls = tonumber(os.getenv("BENCH_CONNS_PER_THREAD") or "0")
if os.getenv("BENCH_THINK") and os.getenv("BENCH_THINK") ~= "" then
  function delay()
    if first_calls > 0 then
      first_calls = first_calls - 1
      return 0
    end
    return math.random(think_lo, think_hi)
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for k, v in pairs(s) do merged[k] = (merged[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(merged) do table.insert(parts, string.format('"%d": %d', k, v)) end
  local e = summary.errors
  local f = io.open(os.getenv("BENCH_RESULT"), "w")
  f:write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "socket_errors": %d, "status": {%s}}',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, table.concat(parts, ", ")))
  f:close()
end
