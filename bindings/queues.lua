-- queues.lua -- Queue, PriorityQueue, LifoQueue: made in C (l_queue.c); this lazy part only names them
local M, C = ...

local made = C.open_queue()
M.Queue, M.PriorityQueue, M.LifoQueue = made.Queue, made.PriorityQueue, made.LifoQueue
