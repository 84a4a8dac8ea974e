-- both
-- SSLError and SSLCertVerificationError: the class hierarchy, the same
-- classes in asyncio and asyncio.ssl, and the fields of a raised SSLError
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local D = os.getenv("AIOD_TEST_CERTS")

print(tostring(asyncio.SSLError), tostring(asyncio.SSLCertVerificationError))
print("same classes", ssl.SSLError == asyncio.SSLError,
      ssl.SSLCertVerificationError == asyncio.SSLCertVerificationError)
local made = asyncio.SSLCertVerificationError("certificate verify failed", {verify_code = 10})
print("made", tostring(made), made.verify_code)
print("is", asyncio.SSLCertVerificationError:is(made), asyncio.SSLError:is(made),
      asyncio.OSError:is(made), asyncio.ConnectionError:is(made), asyncio.TimeoutError:is(made))
local ok, e = pcall(ssl.SSLContext().load_verify_locations, ssl.SSLContext(), D .. "/garbage.pem")
print("raised", ok, e.name, asyncio.SSLError:is(e), asyncio.OSError:is(e),
      asyncio.SSLCertVerificationError:is(e))
print("fields", e.library, e.reason, e.errno, e.strerror == e.message, type(e.traceback))
-- caught by an OSError handler, as Python's except OSError catches it
local caught = false
local ok2, e2 = pcall(function()
  local ok3, err = pcall(ssl.SSLContext().load_cert_chain, ssl.SSLContext(), D .. "/missing.pem")
  if not ok3 and asyncio.OSError:is(err) then caught = true end
  error(err)
end)
print("OSError handler", caught, ok2, asyncio.SSLError:is(e2), e2.errno)
local Sub = asyncio.SSLError:extend("MySSLError")
print("extend", asyncio.OSError:is(Sub("x")), tostring(Sub("boom")))
