-- POST /api/onboarding/step as many users, cycling through the wizard's three steps.
-- Tokens (one a line) come from the file named by $TOKENS_FILE.
local tokens = {}
for line in io.lines(os.getenv("TOKENS_FILE")) do tokens[#tokens + 1] = line end
local bodies = {
  '{"step":1,"data":{"role":"manager","customRole":"","experienceLevel":"advanced","hasSeenWelcome":true}}',
  '{"step":2,"data":{"name":"Acme Bench","industry":"technology","size":"small","description":"","logo":""}}',
  '{"step":3,"data":{"teamSize":12,"structure":"flat","methodology":"okrs","collaborationStyle":"hybrid",' ..
    '"integrations":["slack","jira"],"departments":["Ventas","Producto"]}}',
}
local counter = 0
function setup(thread)
  thread:set("offset", math.random(1, #tokens))
end
function request()
  counter = counter + 1
  local token = tokens[((offset + counter) % #tokens) + 1]
  return wrk.format("POST", "/api/onboarding/step",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"},
    bodies[(counter % 3) + 1])
end
