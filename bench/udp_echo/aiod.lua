-- UDP echo server for aiod on 127.0.0.1:PORT (arg 1): asyncio.open_datagram_endpoint; every datagram from ep:datagrams() is sent back with ep:sendto.
local asyncio = require "asyncio"

local ep = asyncio.open_datagram_endpoint{local_addr = {"127.0.0.1", assert(tonumber(arg[1]))}}
for data, host, port in ep:datagrams() do
  ep:sendto(data, host, port)
end
