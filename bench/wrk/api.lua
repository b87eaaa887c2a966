-- One route of the API as many users: $METHOD $API_PATH with the body $BODY (none when
-- unset). Users (one a line: "TOKEN" or "TOKEN<TAB>SESSION_ID") come from $TOKENS_FILE,
-- taken in turn; "{session}" in the path or the body becomes the user's session id and "{n}"
-- in the body a number unique to the request (organization names, which must differ).
local users = {}
for line in io.lines(os.getenv("TOKENS_FILE")) do
  local token, session = line:match("^([^\t]+)\t?(.*)$")
  users[#users + 1] = {token = token, session = session}
end
local method = os.getenv("METHOD") or "GET"
local path = os.getenv("API_PATH")
local body = os.getenv("BODY")
local counter, prefix = 0, 0
function setup(thread)
  thread:set("prefix", math.random(1, 1000000000))
end
function request()
  counter = counter + 1
  local user = users[((prefix + counter) % #users) + 1]
  local headers = {["Authorization"] = "Bearer " .. user.token}
  local content = nil
  if body and body ~= "" then
    headers["Content-Type"] = "application/json"
    content = body:gsub("{n}", prefix .. "-" .. counter):gsub("{session}", user.session)
  end
  return wrk.format(method, (path:gsub("{session}", user.session)), headers, content)
end
