#!/usr/bin/env python3
"""A counting fake of seed 001's delivery service, for tests/carrier.rs.

    fake_carrier.py LOG        (prints its port on the first line of stdout)

POST /api/v1/shipments books one shipment per Idempotency-Key, as a real
carrier does: a repeat of a key answers the first booking; GET
/api/v1/shipments/{tracking} answers a booked one (404 otherwise). Every call is
appended to LOG as one JSON line (key, order, package, provider, sender
city, tracking number, whether it booked something new) before the answer
is sent, so a test that kills its client mid-call still sees the booking.
FAKE_CARRIER_TOKEN: the bearer token required (401 without it).
FAKE_CARRIER_DELAY: seconds to wait before answering (a slow carrier).
"""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG = sys.argv[1]
TOKEN = os.environ.get("FAKE_CARRIER_TOKEN", "")
DELAY = float(os.environ.get("FAKE_CARRIER_DELAY", "0"))
lock = threading.Lock()
booked = {}


class Carrier(BaseHTTPRequestHandler):
    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        """GET /api/v1/shipments/{tracking}: the booked shipment (tracking)."""
        prefix = "/api/v1/shipments/"
        if TOKEN and self.headers.get("Authorization") != "Bearer " + TOKEN:
            return self.answer(401, {"error": "bad token"})
        with lock:
            found = [s for s in booked.values() if prefix + s["tracking_number"] == self.path]
        if not found:
            return self.answer(404, {"error": "no such shipment"})
        self.answer(200, found[0])

    def do_POST(self):
        if self.path != "/api/v1/shipments":
            return self.answer(404, {"error": "not found"})
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        if TOKEN and self.headers.get("Authorization") != "Bearer " + TOKEN:
            return self.answer(401, {"error": "bad token"})
        key = self.headers.get("Idempotency-Key", "")
        if not key:
            return self.answer(400, {"error": "Idempotency-Key required"})
        with lock:
            new = key not in booked
            if new:
                n = len(booked) + 1
                booked[key] = {"id": "DS-%d" % n, "tracking_number": "DS%09dRS" % n, "status": "created"}
            shipment = booked[key]
            with open(LOG, "a") as log:
                log.write(json.dumps({
                    "key": key,
                    "order_id": body.get("order_id"),
                    "package": body.get("package", {}).get("description"),
                    "provider": body.get("provider"),
                    "from_city": body.get("from_address", {}).get("city"),
                    "tracking": shipment["tracking_number"],
                    "new": new,
                }) + "\n")
        time.sleep(DELAY)
        self.answer(201, shipment)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Carrier)
print(server.server_address[1], flush=True)
server.serve_forever()
