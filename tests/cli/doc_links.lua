-- tests/cli/doc_links.lua: every relative link in the given markdown files finds its target
--
-- usage: aiod doc_links.lua FILE.md ...
-- For each [text](target) outside code blocks and code spans whose target is
-- not a URL: the file part (relative to the linking file) must exist, and a
-- #anchor must be a heading of that file (or of the linking file, for a bare
-- #anchor), its anchor made as GitHub makes it. Prints one line per broken
-- link; exits 1 if there is one. Run by readme_examples.sh, so that moving a
-- section between README and docs/ cannot leave a link behind.

-- GitHub's anchor of a heading: lower case, punctuation dropped (ASCII, and
-- the dashes, quotes and signs that appear in ours), spaces made hyphens;
-- a repeated heading gets -1, -2, ...
local function slug(text)
  local s = text:lower()
  for _, p in ipairs({"—", "–", "−", "’", "“", "”", "×", "…"}) do
    s = s:gsub(p, "")
  end
  s = s:gsub("[%p]", function(c) if c == "-" or c == "_" then return c end return "" end)
  return (s:gsub(" ", "-"))
end

-- lines(path): the file's lines, or nil
local function lines(path)
  local f = io.open(path, "r")
  if not f then return nil end
  local t = {}
  for l in f:lines() do t[#t + 1] = l end
  f:close()
  return t
end

-- each_text_line(t, fn): fn(n, line) for the lines outside ``` blocks
local function each_text_line(t, fn)
  local fence = false
  for n, l in ipairs(t) do
    if l:match("^%s*```") then fence = not fence
    elseif not fence then fn(n, l) end
  end
end

local anchors_of = {}
local function anchors(path)
  if anchors_of[path] == nil then
    local t, set, seen = lines(path), {}, {}
    if t then
      each_text_line(t, function(_, l)
        local h = l:match("^#+ (.*)$")
        if h then
          local s = slug(h)
          if seen[s] then seen[s] = seen[s] + 1; s = s .. "-" .. seen[s] else seen[s] = 0 end
          set[s] = true
        end
      end)
    end
    anchors_of[path] = t and set or false
  end
  return anchors_of[path]
end

local function dir_of(path) return path:match("^(.*)/[^/]*$") or "." end

local broken, checked = 0, 0
for _, file in ipairs({...}) do
  local t = lines(file) or error("cannot read " .. file)
  each_text_line(t, function(n, l)
    l = l:gsub("``.-``", ""):gsub("`[^`]*`", "")          -- code spans hold no links
    for target in l:gmatch("%]%(([^)%s]+)%)") do
      if not target:match("^%a[%w+.-]*:") then           -- not http:, mailto:, ...
        checked = checked + 1
        local path, anchor = target:match("^([^#]*)#?(.*)$")
        local full = path == "" and file or dir_of(file) .. "/" .. path
        local why
        if path ~= "" and not io.open(full, "r") and not os.rename(full, full) then
          why = "no such file"
        elseif anchor ~= "" then
          local set = anchors(full)
          if not set then why = "not a file with headings"
          elseif not set[anchor] then why = "no heading with that anchor" end
        end
        if why then
          print(("%s:%d: link %s: %s"):format(file, n, target, why))
          broken = broken + 1
        end
      end
    end
  end)
end
print(("%d links checked, %d broken"):format(checked, broken))
return broken == 0 and 0 or 1
