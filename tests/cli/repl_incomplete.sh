# aiod -i through a pipe: an incomplete entry continues on the next line (lua.c's <eof> rule); a syntax error is reported and the REPL goes on; the input ending mid-entry reports that entry's error
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/repl_lib.bash"
repl <<'IN'
function f(a,
  b)
  return a + b
end
f(1, 2)
for i = 1, 2 do
print(i)
end
x = = 1
"after the error"
if true then
IN
expect_rc 0
expect_stdout 3 1 2 "after the error"
stderr_has "stdin:1: unexpected symbol near '='"
stderr_has "'end' expected near <eof>"
# The last line may lack its newline.
repl < <(printf 'return 40 + 2')
expect_rc 0
expect_stdout 42
