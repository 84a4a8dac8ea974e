-- known.lua -- calls the fuzzer skips or forgives: defects known and not yet fixed, each naming its issue
-- Each entry: target (a Lua pattern of the names fuzz.lua gives), defect, and either skip(args, n, labels, name)
-- -> whether not to make the call, or message: a pattern of the violation's message to forgive.
-- Empty: every defect the fuzzer found in issue 11 is fixed.
return {}
