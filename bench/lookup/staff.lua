-- wrk: POST /api/v1/persons/search by a random sampled ID number, as the bench window clerk.
local dir = os.getenv("LOOKUP_DIR")
local staff = {}
for line in io.lines(dir .. "/staff.txt") do staff[#staff + 1] = line end
local ids = {}
for line in io.lines(dir .. "/id_numbers.txt") do
  if #line > 0 then ids[#ids + 1] = line end
end
math.randomseed(os.time())
local headers = {
  ["Cookie"] = "dangan_session=" .. staff[1],
  ["X-CSRF-Token"] = staff[2],
  ["Content-Type"] = "application/json",
}

request = function()
  local body = '{"id_number":"' .. ids[math.random(#ids)] .. '","purpose":"窗口查询档案存放地"}'
  return wrk.format("POST", "/api/v1/persons/search", headers, body)
end
