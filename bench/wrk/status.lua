-- GET /api/onboarding/status as many users (tokens one a line from $TOKENS_FILE), each
-- connection walking the list from its own random offset.
local tokens = {}
for line in io.lines(os.getenv("TOKENS_FILE")) do tokens[#tokens + 1] = line end
local counter = 0
function setup(thread)
  thread:set("offset", math.random(1, #tokens))
end
function request()
  counter = counter + 1
  local token = tokens[((offset + counter) % #tokens) + 1]
  return wrk.format("GET", "/api/onboarding/status", {["Authorization"] = "Bearer " .. token})
end
