#!/usr/bin/python3
"""Self-test of the X API emulator (tests/xapi-emulator.py), the oracle of the
integration tests.  It must accept correctly signed requests and, above all,
REJECT what X rejects: if it accepted anything, every integration test would pass
vacuously.  Requests are signed independently of the emulator, with oauthlib's
Client and with a small RFC 5849 signer written here.  Everything runs over plain
HTTP, then over HTTPS with a throwaway CA made by the openssl CLI.  Output is TAP.

Environment: OMTW_SRCDIR (source root), OMTW_BUILDDIR (build root; scratch files
go to tests/work/emulator-selftest/ there), PYTHON3 (interpreter for the
emulator).  Without them, paths are taken relative to this file.
"""
import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import time
import traceback
from urllib.parse import parse_qsl, quote, urlencode

try:
    from oauthlib.oauth1 import Client
except ImportError:
    print("Bail out! python3-oauthlib is not installed")
    sys.exit(1)

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.environ.get("OMTW_SRCDIR") or os.path.dirname(os.path.dirname(HERE))
BUILDDIR = os.environ.get("OMTW_BUILDDIR") or SRCDIR
EMULATOR = os.path.join(SRCDIR, "tests", "xapi-emulator.py")
WORK = os.path.join(BUILDDIR, "tests", "work", "emulator-selftest")
PYTHON = os.environ.get("PYTHON3") or sys.executable

# Fresh random credentials, so that finding one in a log can only mean a leak.
CK = "selftest-ck-" + secrets.token_hex(8)
CS = "selftest-cs-" + secrets.token_urlsafe(24)
AT = "987654321-" + secrets.token_urlsafe(20)
AS = "selftest-as-" + secrets.token_urlsafe(24)
USER_ID, SCREEN_NAME = "987654321", "selftest_user"
PIN = "%07d" % secrets.randbelow(10 ** 7)
DM_PEER = "2244994945"
DUPLICATE = "You are not allowed to create a Tweet with duplicate content."
JSON_CT = {"Content-Type": "application/json"}


class Tap:
    def __init__(self):
        self.n = self.failed = 0

    def check(self, cond, desc, diag=None):
        self.n += 1
        print("%s %d - %s" % ("ok" if cond else "not ok", self.n, desc))
        if not cond:
            self.failed += 1
            if diag is not None:
                for line in str(diag).splitlines():
                    print("#   " + line)
        sys.stdout.flush()
        return bool(cond)

    def section(self, name, fn, *args):
        """Run one group of checks; an unexpected exception fails it instead of
        ending the run."""
        try:
            fn(*args)
        except Exception:
            self.check(False, "%s: no unexpected exception" % name, traceback.format_exc())


T = Tap()


# --- signing ----------------------------------------------------------------

def pct(s):
    """RFC 5849 3.6: percent-encode all but the unreserved characters, UTF-8."""
    return quote(s, safe="")                 # quote() always keeps A-Za-z0-9-._~


def sloppy(s):
    """A classic signer bug (JavaScript's encodeURIComponent): !*'() left alone."""
    return quote(s, safe="!*'()")


def hand_signature(method, url, params, consumer_secret, token_secret, enc=pct):
    """RFC 5849 3.4: HMAC-SHA1 over the signature base string."""
    pairs = sorted((enc(k), enc(v)) for k, v in params)
    base = "&".join((method.upper(), enc(url), enc("&".join("%s=%s" % p for p in pairs))))
    key = enc(consumer_secret) + "&" + enc(token_secret)
    return base64.b64encode(hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()).decode()


def hand_auth(method, url, params=(), consumer_secret=CS, token_secret=AS, enc=pct):
    """Authorization header from the hand-written signer; `params` are the query
    (and form body) parameters the client believes are signed."""
    oauth = {"oauth_consumer_key": CK, "oauth_nonce": secrets.token_hex(16),
             "oauth_signature_method": "HMAC-SHA1", "oauth_timestamp": str(int(time.time())),
             "oauth_token": AT, "oauth_version": "1.0"}
    oauth["oauth_signature"] = hand_signature(method, url, list(params) + list(oauth.items()),
                                              consumer_secret, token_secret, enc)
    return "OAuth " + ", ".join('%s="%s"' % (pct(k), pct(v)) for k, v in oauth.items())


def lib_auth(emu, method, path, key=CK, secret=CS, token=AT, token_secret=AS, base=None, **kw):
    """Authorization header from oauthlib's Client (header signature, HMAC-SHA1)."""
    client = Client(key, client_secret=secret, resource_owner_key=token,
                    resource_owner_secret=token_secret, **kw)
    _, headers, _ = client.sign((base or emu.base) + path, http_method=method)
    return headers["Authorization"]


def tamper(auth):
    """Change one character of the signature."""
    i = auth.index('oauth_signature="') + len('oauth_signature="')
    return auth[:i] + ("A" if auth[i] != "A" else "B") + auth[i + 1:]


# --- the emulator -----------------------------------------------------------

class Resp:
    def __init__(self, r, body):
        self.status, self.headers, self.body = r.status, r.msg, body

    def header(self, name):
        return self.headers.get(name)

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None


class Emulator:
    def __init__(self, scheme, ca=None, cert=None, key=None):
        self.scheme, self.dir = scheme, os.path.join(WORK, scheme)
        os.makedirs(self.dir)
        self.cred = self.path("creds")
        with open(self.cred, "w") as f:
            f.write("# emulator self-test\nconsumer_key=%s\nconsumer_secret=%s\naccess_token=%s\n"
                    "access_token_secret=%s\nuser_id=%s\nscreen_name=%s\n"
                    % (CK, CS, AT, AS, USER_ID, SCREEN_NAME))
        self.record_file, self.log_file = self.path("record.jsonl"), self.path("emulator.log")
        cmd = [PYTHON, EMULATOR, "--credentials", self.cred, "--port", "0",
               "--port-file", self.path("port"), "--record", self.record_file,
               "--log", self.log_file, "--pin", PIN]
        self.ctx = None
        if scheme == "https":
            cmd += ["--tls-cert", cert, "--tls-key", key]
            self.ctx = ssl.create_default_context(cafile=ca)
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
        deadline = time.time() + 10
        while not os.path.exists(self.path("port")):
            if self.proc.poll() is not None or time.time() > deadline:
                self.stop()
                raise RuntimeError("emulator did not start (see %s)" % self.log_file)
            time.sleep(0.02)
        with open(self.path("port")) as f:
            self.port = int(f.read())
        self.base = "%s://127.0.0.1:%d" % (scheme, self.port)

    def path(self, name):
        return os.path.join(self.dir, name)

    def conn(self, timeout=5):
        if self.ctx:
            return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout,
                                               context=self.ctx)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def send(self, method, path, body=None, headers=None, conn=None):
        c = conn or self.conn()
        try:
            if isinstance(body, str):
                body = body.encode("utf-8")
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return Resp(r, r.read())
        finally:
            if conn is None:
                c.close()

    def post(self, path, obj, auth, conn=None):
        body = obj if isinstance(obj, (str, bytes)) else json.dumps(obj, ensure_ascii=False)
        headers = dict(JSON_CT, Authorization=auth) if auth else dict(JSON_CT)
        return self.send("POST", path, body, headers, conn)

    def tweet(self, text, auth=None, **kw):
        """POST /2/tweets with a fresh oauthlib signature unless `auth` is given."""
        auth = auth or lib_auth(self, "POST", "/2/tweets", **kw)
        return self.post("/2/tweets", {"text": text}, auth)

    def control(self, method, path, obj=None):
        r = self.send(method, path, None if obj is None else json.dumps(obj),
                      JSON_CT if obj is not None else {})
        return r.status, r.json()

    def calls(self):
        with open(self.record_file, encoding="utf-8") as f:
            return [json.loads(line) for line in f]

    def calls_with_text(self, text):
        return [c for c in self.calls() if c.get("text") == text]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def make_tls(d):
    """Throwaway CA and a server certificate for IP 127.0.0.1 signed by it."""
    os.makedirs(d)
    p = {n: os.path.join(d, n)
         for n in ("ca.key", "ca.pem", "srv.key", "srv.csr", "srv.pem", "ext")}
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    with open(p["ext"], "w") as f:
        f.write("basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n"
                "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n"
                "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n")
    for cmd in (["req", "-x509", *ec, "-keyout", p["ca.key"], "-out", p["ca.pem"], "-days", "2",
                 "-subj", "/CN=emulator selftest CA",
                 "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
                ["req", "-new", *ec, "-keyout", p["srv.key"], "-out", p["srv.csr"],
                 "-subj", "/CN=127.0.0.1"],
                ["x509", "-req", "-in", p["srv.csr"], "-CA", p["ca.pem"], "-CAkey", p["ca.key"],
                 "-CAcreateserial", "-out", p["srv.pem"], "-days", "2", "-extfile", p["ext"]]):
        subprocess.run(["openssl", *cmd], check=True, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return p["ca.pem"], p["srv.pem"], p["srv.key"]


# --- the checks -------------------------------------------------------------

def check_vector():
    """The hand-written signer reproduces X's documented example (independent of
    both oauthlib and the emulator)."""
    params = [("include_entities", "true"),
              ("status", "Hello Ladies + Gentlemen, a signed OAuth request!"),
              ("oauth_consumer_key", "xvz1evFS4wEEPTGEFPHBog"),
              ("oauth_nonce", "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"),
              ("oauth_signature_method", "HMAC-SHA1"), ("oauth_timestamp", "1318622958"),
              ("oauth_token", "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"),
              ("oauth_version", "1.0")]
    sig = hand_signature("POST", "https://api.twitter.com/1.1/statuses/update.json", params,
                         "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
                         "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE")
    T.check(sig == "hCtSmYh+iHYCEqBWrE7C7hYmtUk=",
            "hand-written signer reproduces X's documented example signature", sig)


def check_accepts(emu, s):
    text = 'Grüße é ✓ 日本 "q" \\ %s' % s
    r = emu.tweet(text)
    data = (r.json() or {}).get("data", {})
    T.check(r.status == 201, "%s: oauthlib-signed POST /2/tweets -> 201" % s, r.body)
    T.check(isinstance(data.get("id"), str) and data["id"].isdigit() and data.get("text") == text,
            "%s: answer has a numeric string data.id and the text" % s, r.body)
    entry = [c for c in emu.calls() if c["id"] == data.get("id")]
    T.check(len(entry) == 1 and entry[0]["verified"] is True and entry[0]["text"] == text
            and entry[0]["status"] == 201,
            "%s: record has it verified with the exact text" % s, entry)
    limits = [r.header("x-rate-limit-" + k) for k in ("limit", "remaining", "reset")]
    T.check(all(v and v.isdigit() for v in limits),
            "%s: rate-limit headers on /2/tweets" % s, limits)

    # The hand-written signer, body sent with \u escapes this time.
    text2 = "hand signed \u00e9 \u2713 %s" % s
    r2 = emu.post("/2/tweets", json.dumps({"text": text2}),
                  hand_auth("POST", emu.base + "/2/tweets"))
    T.check(r2.status == 201, "%s: hand-signed POST /2/tweets -> 201" % s, r2.body)
    entry = emu.calls_with_text(text2)
    T.check(len(entry) == 1 and entry[0]["verified"] is True,
            "%s: record has the hand-signed post verified" % s, entry)
    remaining = r2.header("x-rate-limit-remaining")
    T.check(remaining is not None and limits[1] and int(remaining) == int(limits[1]) - 1,
            "%s: x-rate-limit-remaining counts down" % s, (limits[1], remaining))

    # Query parameters are signed: tricky characters and an empty value.
    query = [("user.fields", "id,name"), ("x", "a b!*'() ~"), ("empty", "")]
    qs = "&".join("%s=%s" % (pct(k), pct(v)) for k, v in query)
    url = emu.base + "/2/users/me"
    r = emu.send("GET", "/2/users/me?" + qs,
                 headers={"Authorization": hand_auth("GET", url, query)})
    T.check(r.status == 200 and r.json() == {"data": {"id": USER_ID, "name": "omtwitter test",
                                                      "username": SCREEN_NAME}},
            "%s: hand-signed GET /2/users/me with query !*'() ~ and empty value -> 200, "
            "credentials' user" % s, (r.status, r.header("x-emulator-reason"), r.body))
    T.check(r.header("x-rate-limit-limit") is not None, "%s: rate-limit headers on /2/users/me" % s)
    r = emu.send("GET", "/2/users/me?" + qs,
                 headers={"Authorization": hand_auth("GET", url, query, enc=sloppy)})
    T.check(r.status == 401 and r.header("x-emulator-reason") == "bad signature",
            "%s: same query signed with !*'() unencoded -> 401 bad signature" % s,
            (r.status, r.header("x-emulator-reason")))
    r = emu.send("GET", "/2/users/me?user.fields=id",
                 headers={"Authorization": hand_auth("GET", url, [("user.fields", "name")])})
    T.check(r.status == 401 and r.header("x-emulator-reason") == "bad signature",
            "%s: query changed after signing -> 401 bad signature" % s,
            (r.status, r.header("x-emulator-reason")))


def check_rejects(emu, s):
    def expect(what, resp, reason):
        T.check(resp.status == 401 and resp.header("x-emulator-reason") == reason
                and (resp.json() or {}).get("detail") == "Unauthorized",
                "%s: %s -> 401 %s" % (s, what, reason),
                (resp.status, resp.header("x-emulator-reason"), resp.body))

    texts = {}
    def text(what):
        texts[what] = "rejected (%s) %s" % (what, s)
        return texts[what]

    expect("tampered signature (one char)",
           emu.tweet(text("tamper"), tamper(lib_auth(emu, "POST", "/2/tweets"))), "bad signature")
    expect("wrong consumer secret", emu.tweet(text("cs"), secret=CS + "x"), "bad signature")
    expect("wrong token secret", emu.tweet(text("ts"), token_secret="not-" + AS), "bad signature")
    expect("unknown token", emu.tweet(text("tok"), token="987654321-unknown"), "unknown token")
    expect("unknown consumer key", emu.tweet(text("ck"), key="unknown-ck"), "unknown consumer key")
    expect("timestamp 10 minutes old",
           emu.tweet(text("old"), timestamp=str(int(time.time()) - 600)), "timestamp out of bounds")
    expect("no Authorization header", emu.post("/2/tweets", {"text": text("none")}, None),
           "no OAuth credentials")
    other = "http" if s == "https" else "https"
    expect("signed for %s:// instead of %s://" % (other, s),
           emu.tweet(text("scheme"), base="%s://127.0.0.1:%d" % (other, emu.port)),
           "bad signature")
    body = json.dumps({"text": text("body")})
    expect("JSON body included in the signature base string",
           emu.post("/2/tweets", body, hand_auth("POST", emu.base + "/2/tweets",
                                                 parse_qsl(body, keep_blank_values=True))),
           "bad signature")

    auth = lib_auth(emu, "POST", "/2/tweets")
    first = emu.tweet(text("replay"), auth)
    second = emu.tweet(texts["replay"], auth)
    T.check(first.status == 201, "%s: original of the replayed request -> 201" % s, first.body)
    expect("replayed nonce (same signed request twice)", second, "replayed nonce")

    del texts["replay"]
    recorded = [c for c in emu.calls() if c.get("text") in texts.values()]
    T.check(len(recorded) == len(texts) and all(c["verified"] is False and c["id"] is None
                                                for c in recorded),
            "%s: record marks every rejected request unverified, nothing created" % s,
            [(c["text"], c["status"], c["verified"], c["id"], c.get("reason")) for c in recorded])
    r = emu.tweet(texts["tamper"])
    T.check(r.status == 201, "%s: text of a rejected request can still be posted" % s, r.body)


def check_content(emu, s):
    text = "duplicate me %s" % s
    first, again = emu.tweet(text), emu.tweet(text)
    T.check(first.status == 201 and again.status == 403
            and (again.json() or {}).get("detail") == DUPLICATE,
            "%s: same text twice -> 201 then 403 duplicate content" % s, (first.status, again.body))
    r = emu.post("/2/tweets", '{"text": "unterminated', lib_auth(emu, "POST", "/2/tweets"))
    T.check(r.status == 400, "%s: invalid JSON -> 400" % s, (r.status, r.body))
    r = emu.post("/2/tweets", {}, lib_auth(emu, "POST", "/2/tweets"))
    T.check(r.status == 400 and "$.text" in (r.json() or {}).get("detail", ""),
            "%s: JSON without text -> 400 about $.text" % s, (r.status, r.body))
    r = emu.send("GET", "/2/users/me",
                 headers={"Authorization": lib_auth(emu, "GET", "/2/users/me")})
    T.check(r.status == 200 and (r.json() or {}).get("data", {}).get("id") == USER_ID
            and r.json()["data"].get("username") == SCREEN_NAME,
            "%s: oauthlib-signed GET /2/users/me -> 200 with the credentials' user" % s, r.body)
    path = "/2/dm_conversations/with/%s/messages" % DM_PEER
    r = emu.post(path, {"text": "dm %s" % s}, lib_auth(emu, "POST", path))
    data = (r.json() or {}).get("data", {})
    conversation = "-".join(sorted((USER_ID, DM_PEER), key=int))
    T.check(r.status == 201 and str(data.get("dm_event_id", "")).isdigit()
            and data.get("dm_conversation_id") == conversation,
            "%s: DM POST -> 201 with dm_event_id" % s, (r.status, r.body))

    # the legacy v1.1 statuses/update (the benchmark's 2010-style baseline):
    # a form body whose parameters are signed, too
    form = urlencode({"status": "legacy post %s \u00e9!" % s})
    client = Client(CK, client_secret=CS, resource_owner_key=AT, resource_owner_secret=AS)
    url = emu.base + "/1.1/statuses/update.json"
    form_ct = {"Content-Type": "application/x-www-form-urlencoded"}
    _, hdrs, _ = client.sign(url, http_method="POST", body=form, headers=form_ct)
    r = emu.send("POST", "/1.1/statuses/update.json", form, dict(form_ct, Authorization=hdrs["Authorization"]))
    T.check(r.status == 200 and (r.json() or {}).get("text") == "legacy post %s \u00e9!" % s
            and str((r.json() or {}).get("id_str", "")).isdigit(),
            "%s: form-signed POST /1.1/statuses/update.json -> 200 with the status" % s, (r.status, r.body))
    _, hdrs, _ = client.sign(url, http_method="POST", body=urlencode({"status": "other"}), headers=form_ct)
    r = emu.send("POST", "/1.1/statuses/update.json", urlencode({"status": "tampered"}),
                 dict(form_ct, Authorization=hdrs["Authorization"]))
    T.check(r.status == 401, "%s: v1.1 post whose body differs from the signed one -> 401" % s, (r.status, r.body))

    # X's weighted length (xapi.md §5): 280 for a post, 10,000 for a DM.
    tag = "%-5s" % s                   # 5 ASCII characters either way
    for text, good, what in ((tag + "a" * 275, True, "280 ASCII"),
                             (tag + "b" * 276, False, "281 ASCII"),
                             (tag + "\u3042" * 137 + "c", True, "5 + 137 kana (2 each) + 1 = 280"),
                             (tag + "\u3044" * 138, False, "5 + 138 kana = 281"),
                             ("\U0001F468\u200D\U0001F469\u200D\U0001F467" * 137 + tag,
                              True, "137 family emoji (2 each) + 5 = 279"),
                             (tag + " https://example.com/" + "p" * 300, True,
                              "a 320-character URL counts 23")):
        r = emu.tweet(text)
        detail = (r.json() or {}).get("detail", "")
        T.check(r.status == 201 if good else (r.status == 400 and "weighted" in detail),
                "%s: post of %s -> %s" % (s, what, "201" if good else "400 too long"),
                (r.status, r.body))
    for n, good in ((10000, True), (10001, False)):
        r = emu.post(path, {"text": tag + "d" * (n - 5)}, lib_auth(emu, "POST", path))
        T.check(r.status == (201 if good else 400),
                "%s: DM of %d characters -> %s" % (s, n, 201 if good else 400), (r.status, r.body))


def check_pin_flow(emu, s, leaked):
    def request_token(**kw):
        r = emu.send("POST", "/oauth/request_token",
                     headers={"Authorization": lib_auth(emu, "POST", "/oauth/request_token",
                                                        token=None, token_secret=None, **kw)})
        return r, dict(parse_qsl(r.body.decode()))

    r, _ = request_token()
    T.check(r.status == 401 and r.header("x-emulator-reason") == "callback not oob",
            "%s: request_token without oauth_callback=oob -> 401" % s, (r.status, r.body))
    r, rt = request_token(callback_uri="oob")
    T.check(r.status == 200 and rt.get("oauth_callback_confirmed") == "true"
            and rt.get("oauth_token") and rt.get("oauth_token_secret"),
            "%s: request_token (oob) -> 200 with a request token" % s, r.body)
    leaked.append(rt.get("oauth_token_secret") or "")
    r = emu.send("GET", "/oauth/authorize?oauth_token=" + pct(rt.get("oauth_token", "")))
    m = re.search(r'id="pin">([0-9]+)<', r.body.decode("utf-8", "replace"))
    T.check(r.status == 200 and m and m.group(1) == PIN,
            "%s: authorize page shows the PIN" % s, (r.status, r.body))

    def access_token(verifier):
        auth = lib_auth(emu, "POST", "/oauth/access_token", token=rt.get("oauth_token"),
                        token_secret=rt.get("oauth_token_secret"), verifier=verifier)
        r = emu.send("POST", "/oauth/access_token", headers={"Authorization": auth})
        return r, dict(parse_qsl(r.body.decode()))

    wrong = "%07d" % ((int(PIN) + 1) % 10 ** 7)
    r, _ = access_token(wrong)
    T.check(r.status == 401 and r.header("x-emulator-reason") == "wrong PIN",
            "%s: access_token with a wrong PIN -> 401" % s, (r.status, r.body))
    r, tok = access_token(PIN)
    T.check(r.status == 200 and tok == {"oauth_token": AT, "oauth_token_secret": AS,
                                        "user_id": USER_ID, "screen_name": SCREEN_NAME},
            "%s: access_token with the PIN -> the credentials' access token" % s, r.status)
    r, _ = access_token(PIN)
    T.check(r.status == 401 and r.header("x-emulator-reason") == "unknown token",
            "%s: request token is single-use" % s, (r.status, r.header("x-emulator-reason")))


def check_faults(emu, s):
    def add(*rules):
        status, _ = emu.control("POST", "/_emu/faults", {"faults": list(rules)})
        assert status == 200, "control API refused %r" % (rules,)

    text = "through 503s %s" % s
    add({"path": "/2/tweets", "status": 503, "count": 2})
    rs = [emu.tweet(text) for _ in range(3)]
    T.check([r.status for r in rs] == [503, 503, 201]
            and (rs[0].json() or {}).get("title") == "Service Unavailable",
            "%s: 503 rule with count 2, then recovery" % s, [(r.status, r.body) for r in rs])
    entries = emu.calls_with_text(text)
    T.check([(c["fault"], c["id"] is None) for c in entries]
            == [("respond 503", True), ("respond 503", True), (None, False)],
            "%s: faulted requests created no post" % s,
            [(c["status"], c["fault"], c["id"]) for c in entries])
    T.check(emu.control("GET", "/_emu/faults") == (200, {"faults": []}),
            "%s: rule gone after its count" % s)

    add({"path": "/2/tweets", "status": 400, "skip": 1})
    rs = [emu.tweet("skip one %d %s" % (i, s)).status for i in range(3)]
    T.check(rs == [201, 400, 201], "%s: skip 1 lets the first request through, then faults once" % s, rs)

    add({"path": "/2/tweets", "status": 429})
    r = emu.tweet("rate limited %s" % s)
    reset = r.header("x-rate-limit-reset") or ""
    T.check(r.status == 429 and reset.isdigit() and int(reset) > time.time()
            and r.header("x-rate-limit-remaining") == "0",
            "%s: 429 rule -> 429 with x-rate-limit-reset in the future" % s, (r.status, reset))

    add({"path": "/2/users/me", "delay_ms": 400})
    t0 = time.monotonic()
    r = emu.send("GET", "/2/users/me",
                 headers={"Authorization": lib_auth(emu, "GET", "/2/users/me")})
    elapsed = time.monotonic() - t0
    T.check(r.status == 200 and elapsed >= 0.4,
            "%s: delay_ms 400 rule -> answered normally after >= 400 ms" % s, (r.status, elapsed))

    for action in ("drop", "reset"):
        add({"path": "/2/tweets", "action": action})
        text = "%s me %s" % (action, s)
        try:
            r = emu.tweet(text)
            outcome = "HTTP %d" % r.status
        except (OSError, http.client.HTTPException) as e:
            outcome = e
        T.check(isinstance(outcome, Exception),
                "%s: %s rule -> client sees a connection error" % (s, action), outcome)
        r = emu.tweet(text)
        T.check(r.status == 201,
                "%s: after %s, the same text posts (nothing created)" % (s, action),
                (r.status, r.body))

    add({"path": "/2/tweets", "status": 503, "count": -1})
    before = [emu.tweet("until cleared %d %s" % (i, s)).status for i in range(2)]
    listed = emu.control("GET", "/_emu/faults")[1]
    cleared = emu.control("DELETE", "/_emu/faults")
    after = emu.tweet("until cleared %s" % s).status
    T.check(before == [503, 503] and len(listed["faults"]) == 1 and cleared[0] == 200
            and emu.control("GET", "/_emu/faults")[1] == {"faults": []} and after == 201,
            "%s: count -1 rule lasts until DELETE /_emu/faults clears it" % s,
            (before, listed, cleared, after))


def check_keepalive(emu, s):
    conn = emu.conn()
    try:
        r1 = emu.send("GET", "/2/users/me", conn=conn,
                      headers={"Authorization": lib_auth(emu, "GET", "/2/users/me")})
        sock, port = conn.sock, conn.sock.getsockname()[1]
        r2 = emu.post("/2/tweets", {"text": "keep-alive %s" % s},
                      lib_auth(emu, "POST", "/2/tweets"), conn=conn)
        same = conn.sock is sock
    finally:
        conn.close()
    T.check(r1.status == 200 and r2.status == 201 and same,
            "%s: two requests over one connection" % s, (r1.status, r2.status, same))
    clients = {c["client"] for c in emu.calls()[-2:]}
    T.check(clients == {"127.0.0.1:%d" % port},
            "%s: record shows both from the same client port" % s, clients)


def check_no_secrets(emu, s, leaked):
    with open(emu.record_file, encoding="utf-8") as f:
        record = f.read()
    with open(emu.log_file, encoding="utf-8") as f:
        log = f.read()
    found = [name for name, v in (("consumer_secret", CS), ("access_token_secret", AS),
                                  *(("request token secret", x) for x in leaked))
             if v and (v in record or v in log)]
    T.check(record.count("\n") > 20 and log and not found,
            "%s: no secret in the record file or the emulator log" % s, found)


def check_started(emu, s):
    T.check(emu.control("GET", "/_emu/health") == (200, {"ok": True}),
            "%s: emulator starts and answers /_emu/health" % s)
    if s != "https":
        return
    untrusting = http.client.HTTPSConnection("127.0.0.1", emu.port, timeout=5,
                                             context=ssl.create_default_context())
    try:
        untrusting.request("GET", "/_emu/health")
        refused = False
    except ssl.SSLCertVerificationError:
        refused = True
    finally:
        untrusting.close()
    T.check(refused, "https: a client without the test CA refuses the certificate")


def run(scheme, tls=None):
    leaked = []                  # request token secrets handed out, for the leak check
    try:
        emu = Emulator(scheme, *(tls or ()))
    except Exception:
        T.check(False, "%s: emulator starts" % scheme, traceback.format_exc())
        return
    try:
        for name, fn, *args in (("start", check_started), ("accepts", check_accepts),
                                ("rejects", check_rejects), ("content", check_content),
                                ("pin", check_pin_flow, leaked), ("faults", check_faults),
                                ("keep-alive", check_keepalive)):
            T.section("%s: %s" % (scheme, name), fn, emu, scheme, *args)
    finally:
        rc = emu.stop()
    T.check(rc == 0, "%s: emulator exits 0 on SIGTERM" % scheme, rc)
    T.section("%s: secrets" % scheme, check_no_secrets, emu, scheme, leaked)


def main():
    # make(1) or a user may stop us: unwind through the finally that stops the emulator.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    print("# emulator %s, scratch %s" % (EMULATOR, WORK))
    check_vector()
    run("http")
    try:
        tls = make_tls(os.path.join(WORK, "tls"))
    except (OSError, subprocess.CalledProcessError) as e:
        T.check(False, "openssl makes a throwaway CA and server certificate",
                getattr(e, "stderr", None) or e)
    else:
        run("https", tls)
    print("1..%d" % T.n)
    return 0 if T.failed == 0 and T.n > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
