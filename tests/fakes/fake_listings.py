#!/usr/bin/env python3
"""A fake of seed 001's Listings service, for tests/listings.rs and
tests/redis_streams.rs.

    fake_listings.py LOG       (prints its port on the first line of stdout)

GET  /api/v1/orders/{id}          an order with one item: L-100 x 1
POST /api/v1/orders/{id}/status   {"status", "message"}: 200
Every call is appended to LOG as one JSON line (method, order, status,
message, Idempotency-Key, the HTTP status answered).
FAKE_LISTINGS_TOKEN: the bearer token required (401 without it).
FAKE_LISTINGS_DOWN_SECS: answer 503 to everything for this long after start.
"""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG = sys.argv[1]
TOKEN = os.environ.get("FAKE_LISTINGS_TOKEN", "")
UP_AT = time.time() + float(os.environ.get("FAKE_LISTINGS_DOWN_SECS", "0"))
lock = threading.Lock()


class Listings(BaseHTTPRequestHandler):
    def reply(self, status, body, record):
        record["answered"] = status
        with lock, open(LOG, "a") as log:
            log.write(json.dumps(record) + "\n")
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_call(self, method):
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}") if length else {}
        parts = self.path.strip("/").split("/")
        record = {"method": method, "path": self.path, "key": self.headers.get("Idempotency-Key"),
                  "status": body.get("status"), "message": body.get("message")}
        if len(parts) >= 4 and parts[:3] == ["api", "v1", "orders"]:
            record["order"] = parts[3]
        if time.time() < UP_AT:
            return self.reply(503, {"error": "down for maintenance"}, record)
        if TOKEN and self.headers.get("Authorization") != "Bearer " + TOKEN:
            return self.reply(401, {"error": "bad token"}, record)
        if method == "GET" and len(parts) == 4:
            return self.reply(200, {"id": parts[3], "order_number": "N-" + parts[3], "status": "confirmed",
                                    "items": [{"listing_id": "L-100", "quantity": 1, "price": 12.5}]}, record)
        if method == "POST" and len(parts) == 5 and parts[4] == "status":
            return self.reply(200, {"ok": True}, record)
        return self.reply(404, {"error": "not found"}, record)

    def do_GET(self):
        self.handle_call("GET")

    def do_POST(self):
        self.handle_call("POST")

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Listings)
print(server.server_address[1], flush=True)
server.serve_forever()
