-- lua-only
-- asyncio.run cancels the tasks still pending when fn returns and lets their cleanup (pcall, <close>) run before it returns
local asyncio = require "asyncio"

local bg
local function main()
  bg = asyncio.create_task(function()
    local c <close> = setmetatable({}, {__close = function() print("bg close handler") end})
    local ok, e = pcall(asyncio.sleep, 10)
    print("bg caught", e.name)
    error(e)
  end)
  asyncio.sleep(0.01)
  print("main returns")
  return "done"
end

print(asyncio.run(main))
print("bg cancelled", bg:cancelled())
