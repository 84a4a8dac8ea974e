-- Class:is(v) is true only for instances of the class (or a subclass); false for other classes, strings, nil, numbers and look-alike tables
local asyncio = require "asyncio"

local c = asyncio.CancelledError()
print(asyncio.CancelledError:is(c), asyncio.TimeoutError:is(c), asyncio.InvalidStateError:is(c))
print(asyncio.CancelledError:is("CancelledError"), asyncio.CancelledError:is(nil),
  asyncio.CancelledError:is({name = "CancelledError", message = ""}), asyncio.CancelledError:is(42))
print(asyncio.TimeoutError:is(asyncio.TimeoutError("x")), asyncio.CancelledError:is(asyncio.TimeoutError("x")))
