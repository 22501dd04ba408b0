#!/usr/bin/env python3
"""Bounded load test of `scout serve`: throughput and latency of POST /v1/brands/{b}/rank.

usage: python3 bench/serve_load.py [--binary target/debug/scout] [--requests 400]
                                   [--clients 1,4,16] [--file examples/candidates.csv]
                                   [--brand glowskin] [--reloads]

It starts `scout serve --addr 127.0.0.1:0` on a temporary copy of rules/ (standard library
only, no dependencies), then for each client count sends exactly --requests rank requests
spread over that many threads, each on its own connection, and prints requests/s and the
p50/p90/p99 latency. Every answer must be 200 and carry a `Scout-Revision`. With --reloads,
a thread rewrites a brand file (alternating two valid versions) every 100 ms during each
run, and the script counts the distinct revisions seen. It never runs longer than
--requests allows, and stops the server with SIGTERM at the end.
"""
import argparse
import http.client
import re
import shutil
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start(binary, rules):
    proc = subprocess.Popen(
        [binary, "serve", "--rules", str(rules), "--addr", "127.0.0.1:0", "--concurrency", "64"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stderr.readline()
    match = re.search(r"http://([0-9.]+):(\d+)", line)
    if not match:
        proc.kill()
        raise SystemExit(f"scout serve did not start: {line}")
    # Keep draining stderr so the server never blocks on a full pipe.
    threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
    return proc, match.group(1), int(match.group(2))


def one(host, port, path, body):
    conn = http.client.HTTPConnection(host, port, timeout=60)
    started = time.perf_counter()
    conn.request("POST", path, body=body, headers={"content-type": "text/csv"})
    reply = conn.getresponse()
    reply.read()
    took = time.perf_counter() - started
    conn.close()
    if reply.status != 200 or not reply.getheader("scout-revision"):
        raise SystemExit(f"unexpected answer {reply.status}")
    return took, reply.getheader("scout-revision")


def run(host, port, path, body, requests, clients):
    latencies, revisions, lock = [], set(), threading.Lock()
    counter = iter(range(requests))

    def worker():
        while True:
            with lock:
                if next(counter, None) is None:
                    return
            took, revision = one(host, port, path, body)
            with lock:
                latencies.append(took)
                revisions.add(revision)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100)
    return requests / wall, q[49] * 1000, q[89] * 1000, q[98] * 1000, len(revisions)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=str(ROOT / "target" / "debug" / "scout"))
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--clients", default="1,4,16")
    ap.add_argument("--file", default=str(ROOT / "examples" / "candidates.csv"))
    ap.add_argument("--brand", default="glowskin")
    ap.add_argument("--reloads", action="store_true")
    args = ap.parse_args()

    body = Path(args.file).read_bytes()
    tmp = Path(tempfile.mkdtemp())
    rules = tmp / "rules"
    shutil.copytree(ROOT / "rules", rules)
    brand_file = rules / "brands" / f"{args.brand}.toml"
    original = brand_file.read_text()
    variant = original.replace("description = \"", "description = \"(edited) ", 1)
    proc, host, port = start(args.binary, rules)
    stop = threading.Event()

    def reloader():
        flip = False
        while not stop.is_set():
            brand_file.write_text(variant if flip else original)
            flip = not flip
            time.sleep(0.1)

    try:
        path = f"/v1/brands/{args.brand}/rank?top=10"
        rows = body.count(b"\n") - 1
        print(f"{rows} rows per request, {args.requests} requests per run, {args.binary}")
        print("| clients | requests/s | rows/s | p50 ms | p90 ms | p99 ms | revisions seen |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for clients in (int(c) for c in args.clients.split(",")):
            stop.clear()
            flipper = threading.Thread(target=reloader) if args.reloads else None
            if flipper:
                flipper.start()
            rps, p50, p90, p99, revs = run(host, port, path, body, args.requests, clients)
            stop.set()
            if flipper:
                flipper.join()
            print(f"| {clients} | {rps:.0f} | {rps * rows:,.0f} | {p50:.1f} | {p90:.1f} | {p99:.1f} | {revs} |")
    finally:
        stop.set()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
