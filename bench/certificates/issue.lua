-- wrk: POST /api/v1/me/certificates on the web channel, one citizen session after another: request
-- n issues a location certificate (purpose 公证, every archive record of the person) for session
-- (n mod P) with an Idempotency-Key of its own, so every request signs and renders a new PDF.
-- Environment: CERT_DIR holds citizen_sessions.txt ("token<TAB>csrf" per line, from
-- bench/lookup/sessions.py); CERT_OFFSET is the first n (runs use separate ranges), CERT_TAG a
-- prefix of the keys. At the end the counts of 201 and other answers go to CERT_DIR/statuses
-- as "N201 NOTHER".
local dir = os.getenv("CERT_DIR")
local sessions = {}
for line in io.lines(dir .. "/citizen_sessions.txt") do
  local token, csrf = line:match("^(%S+)%s+(%S+)$")
  if token then sessions[#sessions + 1] = { token, csrf } end
end
local n = tonumber(os.getenv("CERT_OFFSET") or "0")
local tag = os.getenv("CERT_TAG") or "c"
local body = '{"kind":"location","purpose":"notary"}'

request = function()
  local session = sessions[n % #sessions + 1]
  n = n + 1
  return wrk.format("POST", "/api/v1/me/certificates", {
    ["Cookie"] = "dangan_session=" .. session[1],
    ["X-CSRF-Token"] = session[2],
    ["X-Dangan-Channel"] = "web",
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = tag .. "-" .. n,
  }, body)
end

local threads = {}
setup = function(thread) threads[#threads + 1] = thread end

ok, other = 0, 0
response = function(status)
  if status == 201 then ok = ok + 1 else other = other + 1 end
end

done = function()
  local a, b = 0, 0
  for _, t in ipairs(threads) do a, b = a + t:get("ok"), b + t:get("other") end
  local f = io.open(os.getenv("CERT_DIR") .. "/statuses", "w")
  f:write(a .. " " .. b .. "\n")
  f:close()
end
