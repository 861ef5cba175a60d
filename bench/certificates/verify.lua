-- wrk: POST /api/v1/certificates/verify, public (no session), one issued certificate after
-- another: CERT_MODE=code sends {"code": "<the QR's URL>"} from CERT_DIR/codes.txt (signature
-- checked, content shown, the check counted), CERT_MODE=number sends {"number": "…"} from
-- CERT_DIR/numbers.txt. Every answer must be 200 with "result":"genuine"; the counts of genuine
-- answers and of anything else go to CERT_DIR/statuses as "NGENUINE NOTHER".
local dir = os.getenv("CERT_DIR")
local mode = os.getenv("CERT_MODE") or "code"
local bodies = {}
for line in io.lines(dir .. "/" .. (mode == "number" and "numbers.txt" or "codes.txt")) do
  if #line > 0 then bodies[#bodies + 1] = '{"' .. mode .. '":"' .. line .. '"}' end
end
local n = 0

request = function()
  n = n + 1
  return wrk.format("POST", "/api/v1/certificates/verify", { ["Content-Type"] = "application/json" },
                    bodies[n % #bodies + 1])
end

local threads = {}
setup = function(thread) threads[#threads + 1] = thread end

ok, other = 0, 0
response = function(status, headers, body)
  if status == 200 and body:find('"result":"genuine"', 1, true) then ok = ok + 1 else other = other + 1 end
end

done = function()
  local a, b = 0, 0
  for _, t in ipairs(threads) do a, b = a + t:get("ok"), b + t:get("other") end
  local f = io.open(os.getenv("CERT_DIR") .. "/statuses", "w")
  f:write(a .. " " .. b .. "\n")
  f:close()
end
