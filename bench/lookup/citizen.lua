-- wrk: GET /api/v1/me/archives as a random one of the pre-created citizen sessions.
-- The directory holding citizens.txt is in the environment variable LOOKUP_DIR.
local tokens = {}
for line in io.lines(os.getenv("LOOKUP_DIR") .. "/citizens.txt") do
  if #line > 0 then tokens[#tokens + 1] = line end
end
math.randomseed(os.time())

request = function()
  local token = tokens[math.random(#tokens)]
  return wrk.format("GET", "/api/v1/me/archives", { ["Cookie"] = "dangan_session=" .. token })
end
