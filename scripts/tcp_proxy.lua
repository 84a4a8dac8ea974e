-- tcp_proxy.lua -- a TCP proxy you can re-point without dropping a connection: edit, then reload.
--
--   aiod scripts/tcp_proxy.lua [LISTEN_PORT]        (default 9000)
--   kill -HUP <pid>      or run it with aiod --watch and just save the file
--
-- Each client connection goes to an upstream picked by the policy below,
-- and bytes flow both ways until either side closes. Change UPSTREAMS or
-- POLICY and reload: new connections follow the new settings at once,
-- connections already open stay with their upstream (until aiod's --grace
-- ends), and no client is ever refused while the proxy reloads.
local asyncio = require "asyncio"
local aiod = require "aiod"

---------------------------------------------------------------- settings
local UPSTREAMS = {
  "127.0.0.1:9001",
  "127.0.0.1:9002",
}
local POLICY = "round_robin"	-- or "first": the first upstream that answers
local CONNECT_TIMEOUT = 1	-- seconds per upstream tried
-- When no upstream answers: this line goes to the client, then it is closed.
local NO_UPSTREAM_REPLY = "503 no upstream available\n"
------------------------------------------------------------------------

local port = tonumber(arg[1]) or 9000

-- Kept across reloads: the round-robin position and the counters.
local state = aiod.state
state.next = state.next or 1
state.served = state.served or 0

local function split(target)
  local host, p = target:match("^%[(.+)%]:(%d+)$")
  if not host then host, p = target:match("^(.+):(%d+)$") end
  return host, tonumber(p)
end

-- The order to try the upstreams in, for one new connection.
local function candidates()
  local list = {}
  local n = #UPSTREAMS
  local first = POLICY == "round_robin" and (state.next - 1) % n + 1 or 1
  if POLICY == "round_robin" then state.next = first % n + 1 end
  for i = 0, n - 1 do list[#list + 1] = UPSTREAMS[(first - 1 + i) % n + 1] end
  return list
end

local function connect_upstream()
  for _, target in ipairs(candidates()) do
    local host, p = split(target)
    local ok, r, w = pcall(asyncio.wait_for, function()
      return asyncio.open_connection(host, p)
    end, CONNECT_TIMEOUT)
    if ok then return r, w, target end
    if asyncio.CancelledError:is(r) then error(r, 0) end
    aiod.log("warn", "upstream %s: %s", target, tostring(r))
  end
end

-- Copies until EOF, then half-closes the other side so it sees the end.
local function pipe(reader, writer)
  while true do
    local data = reader:read(65536)
    if data == "" then break end
    writer:write(data)
    writer:drain()
  end
  if writer:can_write_eof() then pcall(writer.write_eof, writer) end
end

local function handle(client_r, client_w)
  local peer = client_w:get_extra_info("peername") or "?"
  local up_r, up_w, target = connect_upstream()
  if not up_r then
    aiod.log("error", "%s: no upstream answered", peer)
    client_w:write(NO_UPSTREAM_REPLY)
    return
  end
  state.served = state.served + 1
  aiod.log("debug", "%s -> %s (generation %d)", peer, target, aiod.generation)
  -- Whichever way ends first, the upstream connection is closed with us.
  local _ <close> = up_w
  local ok, err = pcall(asyncio.gather,
    function() pipe(client_r, up_w) end,
    function() pipe(up_r, client_w) end)
  if not ok and not asyncio.ConnectionError:is(err) then error(err, 0) end
end

local server = asyncio.start_server(handle, "127.0.0.1", port)
aiod.log("info", "generation %d proxying port %d to %s (%s); %d connections served so far",
  aiod.generation, port, table.concat(UPSTREAMS, ", "), POLICY, state.served)
server:serve_forever()
