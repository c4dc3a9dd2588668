#!/usr/bin/python3
"""X (Twitter) API emulator for omtwitter's integration tests and demo.

Serves POST /2/tweets, POST /2/dm_conversations/with/<id>/messages, GET /2/users/me,
GET /2/users/by/username/<handle>, and the legacy POST /1.1/statuses/update.json
and the PIN-based OAuth 1.0a flow (/oauth/request_token, /oauth/authorize,
/oauth/access_token).  Every signed request is verified with oauthlib, an
implementation independent of the C code under test; a rejected one gets 401 with
an x-emulator-reason header.  Response shapes follow X's API v2 reference
(https://docs.x.com/x-api).
Each API call is recorded (memory and --record, one JSON object per line).
Post length is enforced like X does (400 beyond 280 weighted characters, 10,000
for a DM), with a deliberately simple counter that never counts more than X.
Rate limits are enforced like X does (429 once x-rate-limit-remaining is 0, default
100 per 15 min per endpoint): raise them with /_emu/limits for long runs.

Control API (unsigned, JSON, never recorded):
  GET /_emu/health             {"ok": true}
  GET /_emu/record             {"calls": [...]}
  POST /_emu/reset             forget calls, duplicate texts, faults, nonces, limits
  POST /_emu/faults            {"faults": [rule, ...]} appends; GET lists; DELETE clears
  POST /_emu/limits            {"rate_limit", "rate_remaining", "user_24h_limit",
                                "user_24h_remaining"} (any subset)
A rule: {"path": prefix (default any), "count": N (default 1, -1 = until cleared),
"status": code, "body": JSON or text, "headers": {...}, "delay_ms": ms,
"action": "respond" | "drop" | "reset" | "partial", "name": label for the record,
"skip": N matching requests to let through first (default 0)}.
The first matching rule applies.  With a status (or "partial") it replaces normal
processing; with only delay_ms the request is delayed and then processed normally.
"""
import argparse
import hashlib
import html
import json
import os
import re
import unicodedata
import secrets
import signal
import socket
import ssl
import string
import struct
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlencode, urlsplit
from urllib.request import parse_http_list

from oauthlib.oauth1 import RequestValidator, SignatureOnlyEndpoint
from oauthlib.oauth1.rfc5849.utils import escape

TS_LIFETIME = 300                     # X answers 401 "Timestamp out of bounds" beyond this
FIRST_POST_ID = 1860000000000000001
FIRST_DM_ID = 1900000000000000001
ID_RE = re.compile(r"[0-9]{1,19}")
MANDATORY = ("oauth_consumer_key", "oauth_nonce", "oauth_signature",
             "oauth_signature_method", "oauth_timestamp")
# Top-level keys of CreatePostsRequest (additionalProperties: false).
POST_KEYS = {"text", "reply", "quote_tweet_id", "media", "poll", "reply_settings",
             "for_super_followers_only", "nullcast", "geo", "card_uri", "community_id",
             "share_with_followers", "direct_message_deep_link", "edit_options",
             "made_with_ai", "paid_partnership"}
REPLY_KEYS = {"in_reply_to_tweet_id", "exclude_reply_user_ids", "auto_populate_reply_metadata"}
ACTIONS = ("respond", "drop", "reset", "partial")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
HTML = {"Content-Type": "text/html; charset=utf-8"}


def problem(status, title, detail, ptype="about:blank"):
    return {"title": title, "detail": detail, "type": ptype, "status": status}


def invalid_request(detail):
    return problem(400, "Invalid Request", detail, "https://api.x.com/2/problems/invalid-request")


UNAUTHORIZED = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
DUPLICATE = {"detail": "You are not allowed to create a Tweet with duplicate content.",
             "type": "about:blank", "title": "Forbidden", "status": 403}
TOO_MANY = problem(429, "Too Many Requests", "Too Many Requests")
NOT_FOUND = problem(404, "Not Found Error", "Sorry, that page does not exist",
                    "https://api.x.com/2/problems/resource-not-found")
FAULT_BODIES = {
    400: invalid_request("One or more parameters to your request was invalid."),
    402: problem(402, "CreditsDepleted", "Your enrolled account does not have any credits "
                 "to fulfill this request.", "https://api.x.com/2/problems/credits"),
    429: TOO_MANY,
    503: problem(503, "Service Unavailable", "Service Unavailable"),
}


def fault_body(status):
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return FAULT_BODIES.get(status) or problem(status, phrase, phrase)


class NonceStore:
    """(consumer key, timestamp, nonce, token) tuples already seen, shared by all steps."""

    def __init__(self):
        self.lock = threading.Lock()
        self.seen, self.prune_at = {}, 10000

    def add(self, key, timestamp):
        with self.lock:
            if key in self.seen:
                return False
            if len(self.seen) >= self.prune_at:
                # A nonce whose timestamp is out of bounds is rejected anyway: forget it.
                cutoff = time.time() - 2 * TS_LIFETIME
                self.seen = {k: t for k, t in self.seen.items() if t > cutoff}
                self.prune_at = 2 * len(self.seen) + 10000   # amortised O(1) per request
            self.seen[key] = timestamp
            return True

    def clear(self):
        with self.lock:
            self.seen.clear()


class Validator(RequestValidator):
    """oauthlib policy for our one consumer.  `tokens` maps the tokens acceptable at one
    step (access tokens, pending request tokens, or none) to their secrets."""
    enforce_ssl = False                      # plain http on loopback is fine for tests
    allowed_signature_methods = ("HMAC-SHA1",)   # the only method X supports
    timestamp_lifetime = TS_LIFETIME
    nonce_length = (8, 64)                   # omtwitter: 32 hex chars; oauthlib's Client: ~30 digits
    client_key_length = (1, 128)             # test keys may be short
    safe_characters = set(string.ascii_letters + string.digits + "-_.~")
    dummy_client = "dummy-client"

    def check_nonce(self, nonce):
        """Also the base64 nonces ("/", "+", "=") of older clients such as Net::Twitter."""
        lower, upper = self.nonce_length
        return set(nonce) <= self.safe_characters | set("+/=") and lower <= len(nonce) <= upper

    def __init__(self, creds, tokens, nonces):
        super().__init__()
        self.creds, self.tokens, self.nonces = creds, tokens, nonces
        self.dummy_secret = secrets.token_hex(16)   # unknowable, so unknown keys fail

    def validate_client_key(self, client_key, request):
        return client_key == self.creds["consumer_key"]

    def get_client_secret(self, client_key, request):
        if client_key == self.creds["consumer_key"]:
            return self.creds["consumer_secret"]
        return self.dummy_secret

    # SignatureOnlyEndpoint looks every token secret up here (also request tokens).
    def get_access_token_secret(self, client_key, token, request):
        return self.tokens.get(token, self.dummy_secret)

    def validate_timestamp_and_nonce(self, client_key, timestamp, nonce, request,
                                     request_token=None, access_token=None):
        fresh = self.nonces.add((client_key, timestamp, nonce, request.resource_owner_key),
                                int(timestamp))
        request.replayed = not fresh   # read back by Emulator.why()
        return fresh


class Window:
    """Fixed rate-limit window: `limit` calls per `length` seconds, ending at `reset`."""

    def __init__(self, limit, length):
        self.limit = self.remaining = limit
        self.length = length
        self.reset = int(time.time()) + length

    def left(self):
        now = int(time.time())
        if now >= self.reset:
            self.remaining, self.reset = self.limit, now + self.length
        return self.remaining

    def take(self):
        if self.left() <= 0:
            return False
        self.remaining -= 1
        return True

    def headers(self, prefix):
        return {prefix + "-limit": self.limit, prefix + "-remaining": self.left(),
                prefix + "-reset": self.reset}


def check_rule(rule):
    """Validate one fault rule from POST /_emu/faults and fill in its defaults."""
    if not isinstance(rule, dict):
        raise ValueError("a rule must be an object")
    r = {"path": rule.get("path", "/"), "count": rule.get("count", 1),
         "status": rule.get("status"), "body": rule.get("body"), "headers": rule.get("headers", {}),
         "delay_ms": rule.get("delay_ms", 0), "action": rule.get("action", "respond"),
         "skip": rule.get("skip", 0)}
    if type(r["skip"]) is not int or r["skip"] < 0:
        raise ValueError("skip must be a non-negative integer")
    if not isinstance(r["path"], str) or not r["path"].startswith("/"):
        raise ValueError("path must start with /")
    if type(r["count"]) is not int or r["count"] < -1 or r["count"] == 0:
        raise ValueError("count must be a positive integer or -1")
    if r["status"] is not None and (type(r["status"]) is not int or not 100 <= r["status"] <= 599):
        raise ValueError("status must be an HTTP status code")
    if r["body"] is not None and not isinstance(r["body"], (dict, list, str)):
        raise ValueError("body must be JSON object/array or text")
    if not isinstance(r["headers"], dict):
        raise ValueError("headers must be an object")
    if not isinstance(r["delay_ms"], (int, float)) or r["delay_ms"] < 0:
        raise ValueError("delay_ms must be a non-negative number")
    if r["action"] not in ACTIONS:
        raise ValueError("action must be one of " + ", ".join(ACTIONS))
    if r["action"] == "respond" and r["status"] is None and (r["body"] is not None or r["headers"]):
        raise ValueError("body/headers need a status")
    if r["action"] == "respond" and r["status"] is None:
        r["name"] = "delay %gms" % r["delay_ms"]
    elif r["action"] in ("respond", "partial"):
        r["name"] = "%s %d" % (r["action"], r["status"] or 200)
    else:
        r["name"] = r["action"]
    r["name"] = rule.get("name", r["name"])
    return r


def hoist_oauth_params(headers, query, body):
    """Return (headers, query, body) with oauth_* parameters all in the Authorization header.

    oauthlib rejects oauth_* parameters split over header and query/body, yet X documents
    access_token with oauth_token/oauth_verifier in the query next to a header.  Moving
    them does not change the signature base string (same parameter set).  Also rejects
    duplicated header parameters, which oauthlib would silently collapse (X forbids them)."""
    auth = headers.get("Authorization", "")
    if not auth.lower().startswith("oauth "):
        return headers, query, body
    names = [item.split("=", 1)[0].strip() for item in parse_http_list(auth[6:])]
    if len(names) != len(set(names)):
        raise ValueError("duplicate OAuth parameter")
    moved, parts = [], []
    for source in (query, body):
        pairs = parse_qsl(source, keep_blank_values=True) if source else []
        oauth = [(k, v) for k, v in pairs if k.startswith("oauth_")]
        if oauth:
            moved += oauth
            source = urlencode([(k, v) for k, v in pairs if not k.startswith("oauth_")],
                               quote_via=quote)
        parts.append(source)
    if moved:
        headers = dict(headers, Authorization=auth + "".join(
            ', %s="%s"' % (escape(k), escape(v)) for k, v in moved))
    return headers, parts[0], parts[1]


class Emulator:
    """All server state; every mutable field is guarded by self.lock."""

    def __init__(self, creds, pin, record_file, log_file):
        self.creds, self.pin = creds, pin
        self.record_file, self.log_file = record_file, log_file
        self.lock = threading.Lock()
        self.nonces = NonceStore()
        self.request_tokens = {}          # pending PIN-flow request token -> secret
        self.posts = {}                   # id -> text of every post since start (reply targets)
        self.next_post_id, self.next_dm_id, self.seq = FIRST_POST_ID, FIRST_DM_ID, 0
        api_tokens = {creds["access_token"]: creds["access_token_secret"]}
        self.endpoints = {step: SignatureOnlyEndpoint(Validator(creds, tokens, self.nonces))
                          for step, tokens in (("api", api_tokens), ("consumer", {}),
                                               ("request", self.request_tokens))}
        self.reset()

    def reset(self):
        """Forget calls, texts, faults, nonces and limits; posts and id counters stay."""
        with self.lock:
            self.calls, self.texts, self.faults = [], set(), []
            self.rate_limit, self.windows = 100, {}
            self.user24 = Window(10000, 86400)
        self.nonces.clear()

    def log(self, msg):
        with self.lock:
            self.log_file.write(time.strftime("%H:%M:%S ") + msg + "\n")
            self.log_file.flush()

    def record(self, entry):
        with self.lock:
            self.seq += 1
            entry["seq"] = self.seq
            self.calls.append(entry)
            if self.record_file:
                self.record_file.write(json.dumps(entry) + "\n")
                self.record_file.flush()

    def take_fault(self, path):
        with self.lock:
            for rule in self.faults:
                if path.startswith(rule["path"]):
                    if rule["skip"] > 0:
                        rule["skip"] -= 1
                        return None
                    if rule["count"] > 0:
                        rule["count"] -= 1
                        if rule["count"] == 0:
                            self.faults.remove(rule)
                    return rule
        return None

    def window(self, key):
        if key not in self.windows:
            self.windows[key] = Window(self.rate_limit, 900)
        return self.windows[key]

    def take_window(self, key):
        with self.lock:
            return self.window(key).take()

    def rate_headers(self, key):
        with self.lock:
            hdrs = self.window(key).headers("x-rate-limit")
            if key == "POST /2/tweets":
                hdrs.update(self.user24.headers("x-user-limit-24hour"))
        return hdrs

    def set_limits(self, d):
        with self.lock:
            if "rate_limit" in d:
                self.rate_limit = int(d["rate_limit"])
                for w in self.windows.values():
                    w.limit = self.rate_limit
            if "rate_remaining" in d:
                for key in ("POST /2/tweets", "POST /2/dm_conversations", "GET /2/users/me"):
                    self.window(key)
                for w in self.windows.values():
                    w.remaining = int(d["rate_remaining"])
            self.user24.limit = int(d.get("user_24h_limit", self.user24.limit))
            self.user24.remaining = int(d.get("user_24h_remaining", self.user24.remaining))

    def verify(self, step, method, uri, headers, body):
        """Check an OAuth 1.0a request with oauthlib: (ok, reason, oauthlib request or None)."""
        endpoint = self.endpoints[step]
        try:
            ok, oreq = endpoint.validate_request(uri, method, body, headers)
        except ValueError:   # oauthlib raises it for a non-OAuth header or an undecodable query
            return False, "malformed Authorization header or query", None
        if oreq is None:     # oauthlib could not even collect the protocol parameters
            found = "oauth_" in uri + headers.get("Authorization", "") + (body or "")
            return False, "conflicting OAuth parameters" if found else "no OAuth credentials", None
        if ok and step != "consumer" and not oreq.resource_owner_key:
            return False, "token missing", oreq
        if ok and "oauth_signature" not in headers.get("Authorization", ""):
            # our clients sign in the header only; a query signature is a client bug
            return False, "OAuth parameters not in Authorization header", oreq
        return ok, None if ok else self.why(oreq, endpoint.request_validator), oreq

    @staticmethod
    def why(oreq, validator):
        """Reconstruct why oauthlib said no: it only returns False."""
        if getattr(oreq, "replayed", False):
            return "replayed nonce"
        if "signature" in oreq.validator_log:       # got as far as comparing signatures
            if not oreq.validator_log["client"]:
                return "unknown consumer key"
            if oreq.resource_owner_key and oreq.resource_owner_key not in validator.tokens:
                return "unknown token"
            return "bad signature"
        params = oreq.oauth_params
        missing = [k for k in MANDATORY if not params.get(k)]
        if missing:
            return "missing " + " ".join(missing)
        if params["oauth_signature_method"] != "HMAC-SHA1":
            return "unsupported signature method"
        ts = params["oauth_timestamp"]
        if ts.isdigit() and abs(time.time() - int(ts)) > TS_LIFETIME:
            return "timestamp out of bounds"
        return "invalid OAuth parameters"


def public_oauth(oreq):
    """The protocol parameters worth recording: no signature, no secrets."""
    if oreq is None:
        return None
    p = oreq.oauth_params
    out = {k: p.get("oauth_" + k) for k in ("consumer_key", "token", "nonce", "timestamp",
                                            "signature_method", "version")}
    if "oauth_callback" in p:
        out["callback"] = p["oauth_callback"]
    return out


def rate_key(method, path):
    """Rate-limit bucket of a request: one per endpoint, not per URL."""
    if path.startswith("/2/dm_conversations/with/"):
        return "POST /2/dm_conversations"
    if path.startswith("/2/users/by/username/"):
        return "GET /2/users/by/username"
    return "%s %s" % (method, path)


def encode(body, ctype=None):
    if isinstance(body, (dict, list)):
        return json.dumps(body, separators=(",", ":")).encode(), ctype or "application/json; charset=utf-8"
    return body.encode(), ctype or "text/plain; charset=utf-8"


def page(title, content):
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>%s</title></head>"
            "<body><h1>%s</h1>%s</body></html>\n" % (title, title, content))


MAX_POST = 280
MAX_DM = 10000
URL_RE = re.compile(r"https?://\S+", re.IGNORECASE)
# Code points that only continue an emoji (ZWJ, variation selectors, skin
# tones, tags, keycap): X counts the whole emoji as 2, so they add nothing.
EMOJI_CONT = [(0x200D, 0x200D), (0xFE00, 0xFE0F), (0x1F3FB, 0x1F3FF), (0xE0020, 0xE007F),
              (0x20E3, 0x20E3)]
LIGHT = [(0x0, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037)]


def weighted_floor(text):
    """A lower bound of X's weighted length (xapi.md §5): exact for text without
    URLs or emoji; a URL counts at most 23, an emoji sequence at least 2."""
    text = unicodedata.normalize("NFC", text)
    total, prev_zwj, prev_ri = 0, False, False
    for m in URL_RE.finditer(text):
        total += min(23, len(m.group(0)))
    for ch in URL_RE.sub("", text):
        c = ord(ch)
        regional = 0x1F1E6 <= c <= 0x1F1FF
        if any(a <= c <= b for a, b in EMOJI_CONT) or prev_zwj or (regional and prev_ri):
            w = 0
        else:
            w = 1 if any(a <= c <= b for a, b in LIGHT) else 2
        total += w
        prev_zwj = c == 0x200D
        prev_ri = regional and not prev_ri
    return total


def check_post(data, posts):
    """Validate a CreatePostsRequest; return what is wrong, or None."""
    if not isinstance(data, dict):
        return "The request body must be a JSON object."
    for key in data:
        if key not in POST_KEYS:
            return "$.%s: is not defined in the schema and the schema does not allow " \
                   "additional properties" % key
    if not isinstance(data.get("text"), str) or not data["text"]:
        return "$.text: must be a non-empty string"
    if weighted_floor(data["text"]) > MAX_POST:
        return "$.text: is longer than %d weighted characters" % MAX_POST
    if "reply" in data:
        reply = data["reply"]
        if not isinstance(reply, dict) or set(reply) - REPLY_KEYS:
            return "$.reply: must be an object with in_reply_to_tweet_id"
        rid = reply.get("in_reply_to_tweet_id")
        if not isinstance(rid, str) or not ID_RE.fullmatch(rid):
            return "$.reply.in_reply_to_tweet_id: must match ^[0-9]{1,19}$"
        if rid not in posts:
            return "The post %s you are replying to does not exist." % rid
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"        # keep-alive: curl reuses connections
    disable_nagle_algorithm = True       # design.md §9: else ~40 ms per response
    timeout = 300                        # close idle keep-alive connections eventually
    server_version = "xapi-emulator"
    # (method, path pattern, handler, OAuth step); the step picks the acceptable tokens.
    ROUTES = [("POST", re.compile(r"/2/tweets"), "post_tweet", "api"),
              ("POST", re.compile(r"/2/dm_conversations/with/([^/]*)/messages"), "post_dm", "api"),
              ("GET", re.compile(r"/2/users/me"), "users_me", "api"),
              ("GET", re.compile(r"/2/users/by/username/([^/]*)"), "user_by_name", "api"),
              # the legacy v1.1 endpoint, for the benchmark's 2010-style baseline
              ("POST", re.compile(r"/1\.1/statuses/update\.json"), "post_status_v1", "api"),
              ("POST", re.compile(r"/oauth/request_token"), "request_token", "consumer"),
              ("GET", re.compile(r"/oauth/authorize"), "authorize", None),
              ("POST", re.compile(r"/oauth/access_token"), "access_token", "request")]

    def setup(self):
        super().setup()
        if isinstance(self.connection, ssl.SSLSocket):
            self.connection.do_handshake()   # here, not in the accept loop: a stuck client blocks only itself

    def log_request(self, code="-", size="-"):
        pass                                 # one line per request comes from api()/control()

    def log_message(self, fmt, *args):
        self.server.emu.log("%s:%d %s" % (self.client_address[:2] + (fmt % args,)))

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass                 # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0:
            raise ValueError("negative Content-Length")
        return self.rfile.read(length)

    def respond(self, status, body, headers=None, partial=False):
        headers = dict(headers or {})
        data, ctype = encode(body, headers.pop("Content-Type", None))
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, str(value))
            self.end_headers()
            if partial:                      # promise the whole body, deliver half, hang up
                data = data[:max(1, len(data) // 2)]
                self.close_connection = True
            self.wfile.write(data)
        except OSError:                      # the client gave up (e.g. its timeout fired)
            self.close_connection = True

    def handle_any(self):
        url = urlsplit(self.path)
        try:
            raw = self.read_body()
        except ValueError as e:
            self.close_connection = True     # framing unknown: cannot keep the connection
            return self.respond(400, invalid_request("Bad request framing: %s" % e))
        if url.path.startswith("/_emu/"):
            return self.control(url.path, raw)
        self.api(url, raw)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any

    def api(self, url, raw):
        emu = self.server.emu
        text = raw.decode("utf-8", "replace")
        entry = {"seq": None, "time": time.time(), "method": self.command, "path": url.path,
                 "query": url.query, "status": None, "verified": None, "oauth": None,
                 "body": None, "text": None, "reply_to": None, "id": None,
                 "client": "%s:%d" % self.client_address[:2], "fault": None,
                 "user_agent": self.headers.get("User-Agent")}
        try:
            data = entry["body"] = json.loads(text) if raw else None
        except ValueError:
            data, entry["raw_body"] = None, text
        if isinstance(data, dict):
            if isinstance(data.get("text"), str):
                entry["text"] = data["text"]
            if isinstance(data.get("reply"), dict):
                entry["reply_to"] = data["reply"].get("in_reply_to_tweet_id")
        route = match = None
        for method, pattern, fn, step in self.ROUTES:
            match = pattern.fullmatch(url.path)
            if match and method == self.command:
                route = (fn, step)
                break
        rule = emu.take_fault(url.path)
        ok = False
        if route and route[1]:
            ok, reason = self.authenticate(route[1], url, text)
            entry["verified"], entry["oauth"] = ok, public_oauth(self.oreq)
            if not ok:
                entry["reason"] = reason
        if rule:
            entry["fault"] = rule["name"]
            time.sleep(rule["delay_ms"] / 1000)
            if rule["action"] in ("drop", "reset"):
                return self.hang_up(entry, rule["action"] == "reset")
        key = rate_key(self.command, url.path)
        headers = {}
        if rule and (rule["action"] == "partial" or rule["status"] is not None):
            # Injected answer instead of normal processing: nothing is created.
            status = rule["status"] or 200
            body = rule["body"] if rule["body"] is not None else fault_body(status)
            if status == 429:
                headers = {"x-rate-limit-remaining": 0, "x-rate-limit-reset": int(time.time()) + 60}
            headers.update(rule["headers"])
        elif route is None:
            status, body = 404, NOT_FOUND
        elif route[1] and not ok:
            status, body, headers = 401, UNAUTHORIZED, {"x-emulator-reason": entry["reason"]}
        elif url.path.startswith("/2/") and not emu.take_window(key):
            status, body = 429, TOO_MANY
        else:
            status, body, headers = getattr(self, route[0])(entry, match, data)
        if url.path.startswith("/2/"):
            headers = dict(emu.rate_headers(key), **headers)
        entry["status"] = status
        if status >= 400 and "reason" not in entry:
            entry["reason"] = body.get("detail") if isinstance(body, dict) else str(body).strip()[:200]
        self.finish_call(entry)
        self.respond(status, body, headers, partial=bool(rule) and rule["action"] == "partial")

    def authenticate(self, step, url, text):
        """Verify the signature of the request against the URL the client must have signed."""
        host = self.headers.get("Host") or "%s:%d" % self.server.server_address[:2]
        form = "application/x-www-form-urlencoded" in self.headers.get("Content-Type", "")
        try:
            headers, query, body = hoist_oauth_params(dict(self.headers), url.query,
                                                      text if form else None)
        except ValueError as e:
            self.oreq = None
            return False, str(e)
        uri = "%s://%s%s%s" % (self.server.scheme, host, url.path, "?" + query if query else "")
        ok, reason, self.oreq = self.server.emu.verify(step, self.command, uri, headers, body)
        return ok, reason

    def finish_call(self, entry):
        """Record before answering, so a client that saw the answer also sees the record."""
        self.server.emu.record(entry)
        extra = [entry[k] for k in ("fault", "reason") if entry.get(k)]
        if entry["id"]:
            extra.append("id=%s" % entry["id"])
        if entry["text"] is not None:
            extra.append("text=%r" % entry["text"][:80])
        self.log_message("%s %s -> %s %s", entry["method"], entry["path"], entry["status"],
                         " ".join(map(str, extra)))

    def hang_up(self, entry, reset):
        """Close without answering: FIN ("drop") or RST ("reset")."""
        self.finish_call(entry)
        self.close_connection = True
        if reset:                            # linger 0 + close = RST instead of FIN
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.rfile.close()               # the makefile() reference keeps the fd open
            self.connection.close()

    # --- endpoints: each returns (status, body, headers) ---

    def not_json(self):
        return "application/json" not in self.headers.get("Content-Type", "")

    def post_tweet(self, entry, match, data):
        emu = self.server.emu
        if self.not_json():
            return 400, invalid_request("Content-Type must be application/json"), {}
        with emu.lock:
            error = check_post(data, emu.posts)
            if error:
                return 400, invalid_request(error), {}
            if emu.user24.left() <= 0:
                return 429, TOO_MANY, {}
            if data["text"] in emu.texts:
                return 403, DUPLICATE, {}
            emu.user24.take()
            post_id = str(emu.next_post_id)
            emu.next_post_id += 1
            emu.posts[post_id] = data["text"]
            emu.texts.add(data["text"])
        entry["id"] = post_id
        return 201, {"data": {"id": post_id, "text": data["text"],
                              "edit_history_tweet_ids": [post_id]}}, {}

    def post_status_v1(self, entry, match, data):
        """v1.1 statuses/update: a form-encoded, signed "status" (what
        Net::Twitter and the 2010 design use); shares the posts of /2/tweets."""
        emu = self.server.emu
        form = dict(parse_qsl(entry.get("raw_body") or "", keep_blank_values=True))
        status = entry["text"] = form.get("status", "")
        if not status or weighted_floor(status) > 280:
            return 403, {"errors": [{"code": 186, "message": "Status is over 280 characters."}]}, {}
        with emu.lock:
            if status in emu.texts:
                return 403, {"errors": [{"code": 187, "message": "Status is a duplicate."}]}, {}
            post_id = str(emu.next_post_id)
            emu.next_post_id += 1
            emu.posts[post_id] = status
            emu.texts.add(status)
        entry["id"] = post_id
        return 200, {"id": int(post_id), "id_str": post_id, "text": status,
                     "user": {"id_str": emu.creds["user_id"], "screen_name": emu.creds["screen_name"]}}, {}

    def post_dm(self, entry, match, data):
        emu = self.server.emu
        participant = match.group(1)
        if not ID_RE.fullmatch(participant):
            return 400, invalid_request("participant_id must be a numeric user id"), {}
        if self.not_json():
            return 400, invalid_request("Content-Type must be application/json"), {}
        if not entry["text"]:
            return 400, invalid_request("$.text: must be a non-empty string"), {}
        if weighted_floor(entry["text"]) > MAX_DM:
            return 400, invalid_request("$.text: is longer than %d characters" % MAX_DM), {}
        with emu.lock:
            event_id = str(emu.next_dm_id)
            emu.next_dm_id += 1
        entry["id"] = event_id
        low, high = sorted((int(emu.creds["user_id"]), int(participant)))
        return 201, {"data": {"dm_conversation_id": "%d-%d" % (low, high),
                              "dm_event_id": event_id}}, {}

    def users_me(self, entry, match, data):
        creds = self.server.emu.creds
        return 200, {"data": {"id": creds["user_id"], "name": "omtwitter test",
                              "username": creds["screen_name"]}}, {}

    def user_by_name(self, entry, match, data):
        """The authorizing account by its handle; any other valid handle is a
        user with an id derived from it, except handles starting with
        "nosuch", which do not exist (X's 200-with-errors answer)."""
        creds, handle = self.server.emu.creds, match.group(1)
        if not re.fullmatch(r"[A-Za-z0-9_]{1,15}", handle):
            return 400, {"title": "Invalid Request", "detail": "The `username` query parameter "
                         "value [%s] does not match ^[A-Za-z0-9_]{1,15}$" % handle[:40]}, {}
        if handle.lower().startswith("nosuch"):
            return 200, {"errors": [{"value": handle, "detail": "Could not find user with "
                                     "username: [%s]." % handle, "title": "Not Found Error",
                                     "resource_type": "user", "parameter": "username",
                                     "type": "https://api.twitter.com/2/problems/resource-not-found"}]}, {}
        if handle.lower() == creds["screen_name"].lower():
            uid = creds["user_id"]
        else:
            uid = str(int(hashlib.sha256(handle.lower().encode()).hexdigest()[:15], 16))
        return 200, {"data": {"id": uid, "name": handle, "username": handle}}, {}

    def request_token(self, entry, match, data):
        if self.oreq.redirect_uri != "oob":
            entry["reason"] = "callback not oob"
            return 401, 'oauth_callback must be "oob" (PIN-based flow)\n', \
                {"x-emulator-reason": entry["reason"]}
        token, secret = secrets.token_urlsafe(20), secrets.token_urlsafe(30)
        with self.server.emu.lock:
            self.server.emu.request_tokens[token] = secret
        return 200, urlencode({"oauth_token": token, "oauth_token_secret": secret,
                               "oauth_callback_confirmed": "true"}), \
            FORM

    def authorize(self, entry, match, data):
        token = dict(parse_qsl(urlsplit(self.path).query)).get("oauth_token", "")
        with self.server.emu.lock:
            known = token in self.server.emu.request_tokens
        if not known:
            entry["reason"] = "unknown request token"
            return 404, page("Unknown request token", "<p>This request token is unknown or "
                             "has already been used. Start the authorization again.</p>"), \
                HTML
        return 200, page("Authorize omtwitter", "<p>App <b>omtwitter</b> wants to post as "
                         "@%s.</p><p>Enter this PIN in the application: <code id=\"pin\">%s</code></p>"
                         % (html.escape(self.server.emu.creds["screen_name"]),
                            html.escape(self.server.emu.pin))), \
            HTML

    def access_token(self, entry, match, data):
        emu, token = self.server.emu, self.oreq.resource_owner_key
        with emu.lock:
            if self.oreq.verifier != emu.pin:
                entry["reason"] = "wrong PIN" if self.oreq.verifier else "PIN missing"
            elif emu.request_tokens.pop(token, None) is None:   # single use: raced by another call
                entry["reason"] = "unknown token"
        if entry.get("reason"):
            return 401, "Invalid request token.\n", {"x-emulator-reason": entry["reason"]}
        creds = emu.creds
        return 200, urlencode({"oauth_token": creds["access_token"],
                               "oauth_token_secret": creds["access_token_secret"],
                               "user_id": creds["user_id"], "screen_name": creds["screen_name"]}), \
            FORM

    def control(self, path, raw):
        """Unsigned test hooks under /_emu/; never recorded."""
        emu = self.server.emu
        try:
            data = json.loads(raw) if raw.strip() else {}
            call = (self.command, path)
            if call == ("GET", "/_emu/health"):
                result = {"ok": True}
            elif call == ("GET", "/_emu/record"):
                with emu.lock:
                    result = {"calls": json.loads(json.dumps(emu.calls))}
            elif call == ("POST", "/_emu/reset"):
                emu.reset()
                result = {"ok": True}
            elif call == ("POST", "/_emu/faults"):
                rules = [check_rule(r) for r in data.get("faults", [])]
                with emu.lock:
                    emu.faults.extend(rules)
                    result = {"ok": True, "faults": len(emu.faults)}
            elif call == ("GET", "/_emu/faults"):
                with emu.lock:
                    result = {"faults": json.loads(json.dumps(emu.faults))}
            elif call == ("DELETE", "/_emu/faults"):
                with emu.lock:
                    emu.faults.clear()
                result = {"ok": True}
            elif call == ("POST", "/_emu/limits"):
                emu.set_limits(data)
                result = {"ok": True}
            else:
                return self.respond(404, {"error": "unknown control call %s %s" % call})
        except (ValueError, TypeError, AttributeError) as e:
            return self.respond(400, {"error": str(e)})
        if self.command != "GET":            # polling health/record would drown the log
            self.log_message("control %s %s", self.command, path)
        self.respond(200, result)


class Server(ThreadingHTTPServer):
    daemon_threads = True          # open keep-alive connections must not block shutdown
    request_queue_size = 128       # benches open many connections at once
    allow_reuse_address = True     # restart on the same port while old sockets linger

    def handle_error(self, request, client_address):
        self.emu.log("%s:%d connection error: %r" % (client_address[:2] + (sys.exc_info()[1],)))


def load_credentials(path):
    creds = {"user_id": "1234567890", "screen_name": "omtwitter_test"}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, sep, value = line.partition("=")
            if not sep:
                sys.exit("%s:%d: expected key=value" % (path, n))   # never echo the line: secrets
            creds[key.strip()] = value.strip()
    missing = [k for k in ("consumer_key", "consumer_secret", "access_token",
                           "access_token_secret") if not creds.get(k)]
    if missing:
        sys.exit("%s: missing %s" % (path, ", ".join(missing)))
    if not creds["user_id"].isdigit():
        sys.exit("%s: user_id must be numeric" % path)
    return creds


EPILOG = """\
The credentials FILE: key=value lines ('#' starts a comment), for example

  consumer_key=tryConsumerKey
  consumer_secret=tryConsumerSecret
  access_token=1234567890-tryAccessToken
  access_token_secret=tryAccessTokenSecret
  user_id=1234567890
  screen_name=try_alerts

The consumer key and secret are the one app the emulator accepts (give
omtwitter-auth the same ones); the access token and secret, user_id and
screen_name (optional: 1234567890 and omtwitter_test by default) are what the
PIN flow issues and what GET /2/users/me answers.  Any values without spaces
will do; a file omtwitter-auth wrote has this form too.

Example, with the source tree in $src (README.md, "Trying it by hand", has more):

  cd "$(mktemp -d)"        # a private directory, with emu.cred as above in it
  $src/tests/xapi-emulator.py --credentials emu.cred --port 8780 --record record.jsonl &
  OMTWITTER_CONSUMER_KEY=tryConsumerKey OMTWITTER_CONSUMER_SECRET=tryConsumerSecret \\
      $src/_build/contrib/omtwitter-auth/omtwitter-auth \\
      --endpoint http://127.0.0.1:8780 --output try.cred     # the PIN is 4242 (--pin)
  $src/tests/integration/record.py summary record.jsonl     # what the emulator got
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__, epilog=EPILOG,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--credentials", required=True, metavar="FILE",
                    help="the app the emulator accepts and the access token it issues: "
                         "key=value lines, see the example below")
    ap.add_argument("--port", type=int, default=0,
                    help="port to listen on (default 0: any free one, see --port-file)")
    ap.add_argument("--bind", default="127.0.0.1", help="address to listen on (default %(default)s)")
    ap.add_argument("--port-file", metavar="F",
                    help="write the port listened on here (atomically), for --port 0")
    ap.add_argument("--record", metavar="F", help="append one JSON line per API call "
                    "(tests/integration/record.py reads it)")
    ap.add_argument("--tls-cert", metavar="CERT", help="serve HTTPS with this certificate (PEM)")
    ap.add_argument("--tls-key", metavar="KEY", help="and this key (PEM)")
    ap.add_argument("--pin", default="4242", help="the PIN /oauth/authorize shows and "
                    "/oauth/access_token takes (default %(default)s)")
    ap.add_argument("--log", metavar="F", help="request log (default: standard error)")
    args = ap.parse_args()
    if bool(args.tls_cert) != bool(args.tls_key):
        ap.error("--tls-cert and --tls-key go together")
    creds = load_credentials(args.credentials)
    log = open(args.log, "a", encoding="utf-8") if args.log else sys.stderr
    record = open(args.record, "a", encoding="utf-8") if args.record else None

    server = Server((args.bind, args.port), Handler)
    server.emu = Emulator(creds, args.pin, record, log)
    server.scheme = "http"
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True,
                                        do_handshake_on_connect=False)
        server.scheme = "https"
    port = server.server_address[1]
    if args.port_file:
        tmp = "%s.tmp" % args.port_file
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.port_file)   # readers never see a partial number
    server.emu.log("listening on %s://%s:%d" % (server.scheme, args.bind, port))

    # shutdown() waits for serve_forever() to return, so it must not run in its thread.
    def stop(signum, frame):
        threading.Thread(target=server.shutdown).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever()
    server.server_close()
    server.emu.log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
