-- wrk: POST /api/v1/appointments on the web channel, each request a booking never tried before:
-- request n books citizen session (n mod P) into slot (n mod S), with S trimmed so that
-- gcd(P, S) = 1, which makes every (person, slot) pair distinct for n < P×S.
-- Environment: BOOKING_DIR holds citizen_sessions.txt ("token<TAB>csrf" per line, from
-- bench/lookup/sessions.py) and the slot list BOOKING_SLOTS (a file name, one slot id a line);
-- BOOKING_OFFSET is the first n (runs use separate ranges). At the end the counts of 201, 409
-- and other answers are written to BOOKING_DIR/statuses as "N201 N409 NOTHER".
local dir = os.getenv("BOOKING_DIR")
local sessions = {}
for line in io.lines(dir .. "/citizen_sessions.txt") do
  local token, csrf = line:match("^(%S+)%s+(%S+)$")
  if token then sessions[#sessions + 1] = { token, csrf } end
end
local slots = {}
for line in io.lines(dir .. "/" .. os.getenv("BOOKING_SLOTS")) do
  if #line > 0 then slots[#slots + 1] = line end
end
local function gcd(a, b) while b ~= 0 do a, b = b, a % b end return a end
while #slots > 1 and gcd(#sessions, #slots) ~= 1 do slots[#slots] = nil end

local n = tonumber(os.getenv("BOOKING_OFFSET") or "0")
local tag = os.getenv("BOOKING_TAG") or "b"

request = function()
  local session = sessions[n % #sessions + 1]
  local slot = slots[n % #slots + 1]
  n = n + 1
  return wrk.format("POST", "/api/v1/appointments", {
    ["Cookie"] = "dangan_session=" .. session[1],
    ["X-CSRF-Token"] = session[2],
    ["X-Dangan-Channel"] = "web",
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = tag .. "-" .. n,
  }, '{"kind":"visit","slot_id":"' .. slot .. '"}')
end

local threads = {}
setup = function(thread) threads[#threads + 1] = thread end

ok, full, other = 0, 0, 0
response = function(status)
  if status == 201 then ok = ok + 1 elseif status == 409 then full = full + 1 else other = other + 1 end
end

done = function()
  local a, b, c = 0, 0, 0
  for _, t in ipairs(threads) do a, b, c = a + t:get("ok"), b + t:get("full"), c + t:get("other") end
  local f = io.open(os.getenv("BOOKING_DIR") .. "/statuses", "w")
  f:write(a .. " " .. b .. " " .. c .. "\n")
  f:close()
end
