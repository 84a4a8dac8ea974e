-- both
-- port of the as_completed snippet: for each in completion order, earliest_result = await it
local asyncio = require "asyncio"

asyncio.run(function()
  local job = asyncio.async(function(name, delay) asyncio.sleep(delay) return name end)
  local aws = {job("c", 0.05), job("a", 0.01), job("b", 0.03)}
  for t in asyncio.as_completed(aws) do
    local earliest_result = t:await()
    print(earliest_result)
  end
end)
