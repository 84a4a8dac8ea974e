# Certificate rotation by reload: a TLS server on a fixed port; replace its certificate files and SIGHUP: new clients get the new certificate, a connection opened before keeps its session and old certificate, and clients connecting throughout are never refused
. "$(dirname "$0")/lib.bash"
/usr/bin/python3 - "$AIOD" "$T" "$AIOD_TEST_CERTS" <<'PY' || fail "certificate rotation misbehaved"
import asyncio, os, re, shutil, signal, socket, ssl, sys
aiod, tmp, certs = sys.argv[1:4]
script = os.path.join(tmp, "tls.lua")
with open(script, "w") as f:
    f.write('''
local asyncio = require "asyncio"
local aiod = require "aiod"
local ssl = asyncio.ssl
-- the certificate files are read at load time: a reload reads them anew
local ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx:load_cert_chain(arg[2] .. "/cert.pem", arg[2] .. "/key.pem")
local server = asyncio.start_server(function(r, w)
  for line in r:lines() do
    w:write(("gen %d: %s"):format(aiod.generation, line))
  end
end, "127.0.0.1", tonumber(arg[1]), {ssl = ctx})
server:serve_forever()
''')

def install(name):
    # each file replaced by rename, as a certificate manager does
    for src, dst in ((name + ".pem", "cert.pem"), (name + ".key", "key.pem")):
        shutil.copy(os.path.join(certs, src), os.path.join(tmp, dst + ".new"))
        os.rename(os.path.join(tmp, dst + ".new"), os.path.join(tmp, dst))

def organization(writer):
    subject = writer.get_extra_info("peercert")["subject"]
    return dict(rdn[0] for rdn in subject)["organizationName"]

async def main():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    install("server")
    errpath = os.path.join(tmp, "stderr")
    proc = await asyncio.create_subprocess_exec(aiod, "--grace", "5", script, str(port), tmp,
                                                stderr=open(errpath, "w"))
    ctx = ssl.create_default_context(cafile=os.path.join(certs, "ca.pem"))
    for _ in range(250):
        try:
            r, w = await asyncio.open_connection("localhost", port, ssl=ctx); w.close(); break
        except OSError:
            await asyncio.sleep(0.02)
    failures = []

    async def ask(r, w, text):
        w.write(text.encode() + b"\n")
        return (await r.readline()).decode().strip()

    # a session ticket from generation 1, kept for after the reload
    def ticket_connect(session=None):
        raw = socket.create_connection(("127.0.0.1", port))
        t = ctx.wrap_socket(raw, server_hostname="localhost", session=session)
        t.sendall(b"ticket\n")
        answer = t.makefile("rb").readline().decode().strip()
        got = t.session
        t.close()
        return got, answer
    old_session = (await asyncio.to_thread(ticket_connect))[0]

    # a connection opened before the reload
    old_r, old_w = await asyncio.open_connection("localhost", port, ssl=ctx)
    if organization(old_w) != "aiod tests":
        failures.append("first certificate: %s" % organization(old_w))
    if await ask(old_r, old_w, "before") != "gen 1: before":
        failures.append("old connection before the reload")

    seen = []          # (phase, organization) of each loop connection
    phase = ["before"]
    stop = False
    async def client(n):
        while not stop:
            p = phase[0]
            try:
                r, w = await asyncio.open_connection("localhost", port, ssl=ctx)
            except (OSError, ssl.SSLError) as e:
                failures.append("connect: %r" % e); return
            try:
                answer = await ask(r, w, "c%d" % n)
            except (OSError, ssl.SSLError) as e:
                failures.append("cut: %r" % e); return
            if not re.match(r"gen \d+: c%d$" % n, answer):
                failures.append("answer %r" % answer); return
            # a connection begun before the SIGHUP but answered after it
            # may be the new generation's: it counts for neither phase
            if phase[0] != p:
                p = "reloading"
            seen.append((p, organization(w), int(answer.split()[1][:-1])))
            w.close()
            await asyncio.sleep(0.003)

    tasks = [asyncio.create_task(client(n)) for n in range(8)]
    await asyncio.sleep(0.15)
    install("server2")
    phase[0] = "reloading"
    proc.send_signal(signal.SIGHUP)
    for _ in range(300):
        if re.search(r"reload 1 -> 2: (ok|failed)", open(errpath).read()):
            break
        await asyncio.sleep(0.01)
    phase[0] = "after"
    await asyncio.sleep(0.15)
    stop = True
    await asyncio.gather(*tasks)

    # the old connection: same session, old certificate, old code
    if await ask(old_r, old_w, "after") != "gen 1: after":
        failures.append("old connection after the reload")
    if organization(old_w) != "aiod tests":
        failures.append("old connection's certificate changed")
    old_w.close()

    r, w = await asyncio.open_connection("localhost", port, ssl=ctx)
    if organization(w) != "rotated" or await ask(r, w, "new") != "gen 2: new":
        failures.append("a new connection after the reload: %s" % organization(w))
    w.close()

    # a ticket of generation 1 offered to generation 2: resumed or not,
    # the connection works and is served by the new code
    try:
        _, answer = await asyncio.to_thread(ticket_connect, old_session)
        if answer != "gen 2: ticket":
            failures.append("old ticket: answer %r" % answer)
    except (OSError, ssl.SSLError) as e:
        failures.append("old ticket: %r" % e)

    text = open(errpath).read()
    if "reload 1 -> 2: ok" not in text:
        failures.append("the reload did not commit")
    before = [o for p, o, g in seen if p == "before"]
    after = [(o, g) for p, o, g in seen if p == "after"]
    if not before or set(before) != {"aiod tests"}:
        failures.append("before the reload: %r" % set(before))
    if len(after) < 8 or set(after) != {("rotated", 2)}:
        failures.append("after the reload: %r (%d)" % (set(after), len(after)))
    # each generation serves with its own certificate, never the other's
    for p, o, g in seen:
        if (g == 1) != (o == "aiod tests"):
            failures.append("generation %d served %s" % (g, o)); break
    proc.send_signal(signal.SIGTERM)
    rc = await proc.wait()
    if rc != 0:
        failures.append("exit code %d" % rc)
    if failures:
        print("\n".join(failures[:10])); print(len(seen), "connections"); print(text[-2000:]); sys.exit(1)

asyncio.run(main())
PY
