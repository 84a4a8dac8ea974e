-- lua-only
-- process_reap_foreign_children.lua under stock lua5.4 with asyncio.so, fewer times (its loop is made the same way)
REAP_RUNS = 200
dofile("process_reap_foreign_children.lua")
