-- takeover.lua -- sockets by address across aiod's generations: a newer generation's server or endpoint takes an older one's socket over
local M, C = ...

local pairs, ipairs, setmetatable = pairs, ipairs, setmetatable

local T = {}

-- Sockets by address (a key its kind makes: an address's bytes with a
-- prefix of its kind): {kind =, owner =, gen =, handle =, claim =,
-- claim_gen =, fd =}. An owner (a server, an endpoint) of a newer
-- generation claims an older one's socket instead of binding anew, so
-- nothing sent to the address is ever refused; the old owner goes on
-- with it until the reload commits (C.hand_over), so a reload that rolls
-- back has served nobody, and its owner's close just drops the claim.
-- When the old owner closes first, the socket stays open (fd, no handle)
-- for the claim: what comes in waits in the kernel for the commit.
--
-- A kind says how its handles let go of a socket and take one:
-- kind.detach(owner, handle) -> fd, kind.adopt(owner, fd) -> handle,
-- kind.is_open(handle), kind.close_fd(fd).
local by_address = {}

-- Every owner still open, with its generation, so a commit or a
-- rollback closes a generation's servers and endpoints alike.
local open = setmetatable({}, {__mode = "k"})

-- A server or endpoint of generation gen opened: the script is a service.
function T.opened(owner, gen)
  open[owner] = gen
  if C.became_service then C.became_service() end
end

-- owner (of generation gen) wants the socket at key (nil: no fixed
-- address): an older generation's, which it claims, or one make() makes.
-- Returns the handle, and true when it is the older owner's, claimed.
function T.bind(owner, gen, key, kind, make)
  local entry = key and by_address[key]
  if entry and entry.gen < gen and not entry.claim and entry.handle and kind.is_open(entry.handle) then
    entry.claim, entry.claim_gen = owner, gen
    return entry.handle, true
  end
  local handle = make()
  if key then by_address[key] = {kind = kind, owner = owner, gen = gen, handle = handle} end
  return handle, false
end

-- Generation gen is ready: its owners take the sockets they claimed, all
-- within this turn of the loop (the socket is never closed, and what waits
-- in it is not lost); the old owners no longer use them.
function C.hand_over(gen)
  for _, entry in pairs(by_address) do
    local owner = entry.claim
    if owner and entry.claim_gen == gen then
      local fd = entry.fd
      if entry.handle then fd = entry.kind.detach(entry.owner, entry.handle) end
      entry.handle = entry.kind.adopt(owner, fd)
      entry.owner, entry.gen, entry.claim, entry.claim_gen, entry.fd = owner, gen, nil, nil, nil
    end
  end
end

-- A closing owner lets go of its sockets: one claimed by a newer
-- generation stays open for it, and a claim it made was never its own.
function T.closed(owner)
  open[owner] = nil
  for key, entry in pairs(by_address) do
    if entry.claim == owner then
      entry.claim, entry.claim_gen = nil, nil
      if entry.fd then
        entry.kind.close_fd(entry.fd)
        by_address[key] = nil
      end
    elseif entry.owner == owner then
      if entry.claim then
        entry.fd = entry.kind.detach(owner, entry.handle)
        entry.handle = nil
      else
        by_address[key] = nil
      end
    end
  end
end

-- Closes the servers and endpoints of generations first to last.
-- How many servers and endpoints are open, for aiod stats.
function C.count_open()
  local servers, endpoints = 0, 0
  for owner in pairs(open) do
    if type(owner) == "userdata" then endpoints = endpoints + 1 else servers = servers + 1 end
  end
  return servers, endpoints
end

function C.close_generations(first, last)
  local list = {}
  for owner, gen in pairs(open) do
    if gen >= first and gen <= last then list[#list + 1] = owner end
  end
  for _, owner in ipairs(list) do owner:close() end
end

C.takeover = T
