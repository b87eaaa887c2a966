-- POST /api/onboarding/complete with the whole wizard in the body, each token once: the
-- first request of a user creates the organization; later ones answer "Profile already
-- exists". Tokens (one a line, more than the run will send) from $TOKENS_FILE. Each company
-- has its own name: a thousand organizations called the same would measure slug collisions
-- (bounded by migration 0009), not onboarding.
local tokens = {}
for line in io.lines(os.getenv("TOKENS_FILE")) do tokens[#tokens + 1] = line end
local body = '{"data":{"welcome":{"role":"ceo","customRole":"","experienceLevel":"advanced","hasSeenWelcome":true},' ..
  '"company":{"name":"Acme Bench %d","industry":"technology","size":"small","description":"Bench","logo":""},' ..
  '"organization":{"teamSize":12,"structure":"flat","methodology":"okrs","collaborationStyle":"hybrid",' ..
  '"integrations":["slack"],"departments":["Ventas","Producto"]}}}'
local threads, counter, stride, first = {}, 0, 1, 0
function setup(thread)
  table.insert(threads, thread)
  thread:set("first", #threads - 1)
end
function init(args)
  stride = tonumber(os.getenv("WRK_THREADS") or "1")
end
function request()
  local index = first + counter * stride + 1
  counter = counter + 1
  local token = tokens[((index - 1) % #tokens) + 1]
  return wrk.format("POST", "/api/onboarding/complete",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, string.format(body, index))
end
