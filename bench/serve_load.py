#!/usr/bin/env python3
"""Bounded load and fault test of `scout serve` (issue 15, "Load and faults").

usage: python3 bench/serve_load.py [--binary target/debug/scout] [--requests 400]
                                   [--clients 1,8,64] [--rows 1000] [--file CSV]
                                   [--brand glowskin] [--saves 100] [--broken-every 3]
                                   [--faults] [--no-load] [--drops 1000] [--wave 200]
                                   [--drop-rounds 3] [--stalls 400] [--fault-timeout 5]

Standard library only, never needed by CI, talks to 127.0.0.1 only. It copies rules/ to a
temporary folder and starts `scout serve --addr 127.0.0.1:0 --concurrency 64` on it (once for
the load runs, and again for the fault tests).

Load: the body is a --rows-row CSV made deterministically from --file (its rows repeated
with unique handles and slightly perturbed numbers). For each client count it sends exactly
--requests `POST /v1/brands/{brand}/rank?top=10` spread over that many threads, each on its
own connection, and prints requests/s, rows/s and p50/p99 latency. Meanwhile a saver thread
saves the brand file --saves times in all, spread evenly over the runs by request progress:
every --broken-every-th save is broken (alternately invalid TOML and a rule-test failure),
the others are valid and distinct. After each save it polls `/v1/status` until the reload
was activated or rejected, and records the activated revision (or the rejected one). At the
end it checks: no request failed (every answer 200 with a `Scout-Revision`), every revision
served is the initial one or an activated one, no rejected revision was ever served, and
`rejections` grew by the number of broken saves.

Faults (--faults): (a) a 1 GiB body, declared with `Content-Length: 1073741824` and then
streamed, and the same with chunked transfer-encoding: each must be refused with 413 (or,
for chunked, a closed connection) long before 1 GiB is sent, with the server's peak RSS
(VmHWM, reset through /proc/PID/clear_refs) under 100 MiB. (b) --drops connections dropped
mid-request in waves of --wave (partial headers; headers and part of a body; a third of
them reset with SO_LINGER 0), --drop-rounds times, after which /healthz, a rank and
/v1/status must answer, the server's open fds must be back near their baseline, and its RSS
must level off (the last round's within 8 MiB of the first's). (c) --stalls connections that
never finish a request head (half a head; idle after an answer) must be closed by the server
after its --timeout (--fault-timeout, 5 s here), and its fds be back at the baseline.

The script exits non-zero if any check fails, and stops the server with SIGTERM at the end.
"""
import argparse
import csv
import http.client
import io
import json
import os
import re
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAILURES = []


def check(ok, what):
    print(f"  [{'ok' if ok else 'FAIL'}] {what}")
    if not ok:
        FAILURES.append(what)


def start(binary, rules, *extra):
    proc = subprocess.Popen(
        [binary, "serve", "--rules", str(rules), "--addr", "127.0.0.1:0", "--concurrency", "64",
         *extra],
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


def make_body(source, rows):
    """`rows` candidates from `source`'s rows, repeated with unique handles, deterministic."""
    reader = csv.DictReader(io.StringIO(Path(source).read_text()))
    base = list(reader)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator="\n")
    writer.writeheader()
    for i in range(rows):
        row = dict(base[i % len(base)])
        round_ = i // len(base)
        row["handle"] = f"{row['handle']}.{i}"
        if round_ and row.get("followers"):
            # +-3% in steps, so copies differ but stay in (almost) the same tier.
            factor = 1 + ((round_ * 7 + i) % 7 - 3) / 100
            row["followers"] = str(max(1, int(int(row["followers"]) * factor)))
        writer.writerow(row)
    return out.getvalue().encode()


def get_json(host, port, path):
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("GET", path)
    reply = conn.getresponse()
    data = reply.read()
    conn.close()
    return reply.status, json.loads(data) if data.startswith(b"{") else data


def proc_status(pid):
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024  # MiB
    fields["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    return fields


def reset_peak(pid):
    """Resets VmHWM to the current RSS (Linux >= 4.0); False if not possible."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


# ---------------------------------------------------------------------------------- load


class Saver:
    """Saves the brand file `total` times, each when asked, and records the outcomes."""

    def __init__(self, host, port, brand_file, broken_every):
        self.host, self.port, self.file = host, port, brand_file
        self.original = brand_file.read_text()
        self.broken_every = broken_every
        self.done = 0
        self.valid = 0
        self.broken = 0
        self.activated = set()
        self.rejected = set()
        self.unresolved = 0
        self.took = []

    def content(self, n):
        if self.broken_every and n % self.broken_every == self.broken_every - 1:
            if (n // self.broken_every) % 2 == 0:
                return False, self.original + f"\n# save {n}\n[weights\n"  # invalid TOML
            # Valid TOML, but the brand's rule tests expect micro creators to pass.
            text = self.original.replace('tiers = ["nano", "micro"]', 'tiers = ["nano"]', 1)
            assert text != self.original
            return False, text + f"\n# save {n}\n"
        return True, self.original.replace(
            'description = "', f'description = "(save {n}) ', 1
        )

    def save(self):
        n = self.done
        valid, text = self.content(n)
        _, before = get_json(self.host, self.port, "/v1/status")
        started = time.perf_counter()
        tmp = self.file.with_name(self.file.name + ".tmp")
        tmp.write_text(text)
        os.replace(tmp, self.file)  # an atomic save, as editors do
        deadline = started + 10
        outcome = None
        while time.perf_counter() < deadline:
            time.sleep(0.01)
            _, now = get_json(self.host, self.port, "/v1/status")
            if now["activations"] > before["activations"]:
                outcome = "activated"
                self.activated.add(now["revision"])
                break
            if now["rejections"] > before["rejections"]:
                outcome = "rejected"
                self.rejected.add((now.get("last_error") or {}).get("revision"))
                break
        self.took.append(time.perf_counter() - started)
        self.done += 1
        if outcome is None:
            self.unresolved += 1
        elif valid != (outcome == "activated"):
            FAILURES.append(f"save {n} ({'valid' if valid else 'broken'}) was {outcome}")
        if valid:
            self.valid += 1
        else:
            self.broken += 1


def run_load(host, port, path, body, requests, clients, saver, save_quota):
    latencies, revisions, failed = [], {}, []
    lock = threading.Lock()
    issued = [0]
    completed = [0]
    finished = threading.Event()

    def worker():
        while True:
            with lock:
                if issued[0] >= requests:
                    return
                issued[0] += 1
            try:
                conn = http.client.HTTPConnection(host, port, timeout=60)
                started = time.perf_counter()
                conn.request("POST", path, body=body, headers={"content-type": "text/csv"})
                reply = conn.getresponse()
                data = reply.read()
                took = time.perf_counter() - started
                conn.close()
                revision = reply.getheader("scout-revision")
                inner = re.search(rb'"revision":\s*"([^"]+)"', data)
                if reply.status != 200 or not revision:
                    raise RuntimeError(f"status {reply.status}: {data[:200]!r}")
                if not inner or inner.group(1).decode() != revision:
                    raise RuntimeError(f"header revision {revision} is not the body's")
                with lock:
                    latencies.append(took)
                    revisions[revision] = revisions.get(revision, 0) + 1
            except Exception as err:  # noqa: BLE001 - every failure is counted and shown
                with lock:
                    failed.append(repr(err))
            finally:
                with lock:
                    completed[0] += 1

    def saving():
        # Save k of the quota once k/quota of the requests are done: evenly spread.
        for k in range(save_quota):
            while not finished.is_set() and completed[0] < k * requests / save_quota:
                time.sleep(0.005)
            saver.save()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    saver_thread = threading.Thread(target=saving)
    saves_before = saver.done
    started = time.perf_counter()
    saver_thread.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    under_load = saver.done - saves_before
    finished.set()
    saver_thread.join()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    return {
        "clients": clients,
        "requests": requests,
        "rps": len(latencies) / wall,
        "p50": q[49] * 1000,
        "p99": q[98] * 1000,
        "failed": failed,
        "revisions": revisions,
        "saves": saver.done - saves_before,
        "saves_under_load": under_load,
        "wall": wall,
    }


def load(args, host, port, rules, pid):
    body = make_body(args.file, args.rows)
    rows = body.count(b"\n") - 1
    brand_file = rules / "brands" / f"{args.brand}.toml"
    _, initial = get_json(host, port, "/v1/status")
    saver = Saver(host, port, brand_file, args.broken_every)
    client_counts = [int(c) for c in args.clients.split(",")]
    quotas = [args.saves // len(client_counts)] * len(client_counts)
    for i in range(args.saves - sum(quotas)):
        quotas[i] += 1
    path = f"/v1/brands/{args.brand}/rank?top=10"
    print(f"load: {rows} rows ({len(body):,} bytes) per request, {args.requests} requests per"
          f" run, {args.saves} saves (1 in {args.broken_every} broken), {args.binary}")
    results = []
    for clients, quota in zip(client_counts, quotas):
        result = run_load(host, port, path, body, args.requests, clients, saver, quota)
        result["rss"] = proc_status(pid)["VmRSS"]
        results.append(result)
    _, final = get_json(host, port, "/v1/status")
    valid_revisions = {initial["revision"]} | saver.activated
    print()
    print("| clients | requests | requests/s | rows/s | p50 ms | p99 ms | failed "
          "| revisions seen | saves (during traffic) | server RSS after, MiB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    seen_all = set()
    for r in results:
        seen_all |= set(r["revisions"])
        print(f"| {r['clients']} | {r['requests']} | {r['rps']:.0f} | {r['rps'] * rows:,.0f} "
              f"| {r['p50']:.1f} | {r['p99']:.1f} | {len(r['failed'])} "
              f"| {len(r['revisions'])} | {r['saves']} ({r['saves_under_load']}) | {r['rss']:.1f} |")
    print()
    took = sorted(saver.took) or [0]
    print(f"saves: {saver.valid} valid, {saver.broken} broken; {len(saver.activated)} revisions"
          f" activated, {len(saver.rejected)} rejected; outcome seen after"
          f" p50 {statistics.median(took) * 1000:.0f} ms,"
          f" max {took[-1] * 1000:.0f} ms; {saver.unresolved} unresolved")
    print(f"status: activations {initial['activations']} -> {final['activations']},"
          f" rejections {initial['rejections']} -> {final['rejections']}")
    print(f"distinct revisions served in all: {len(seen_all)}")
    for r in results:
        for f in r["failed"][:5]:
            print(f"  failed ({r['clients']} clients): {f}")
    check(all(not r["failed"] for r in results), "0 failed requests")
    check(saver.unresolved == 0, "every save was activated or rejected within 10 s")
    check(seen_all <= valid_revisions,
          f"every revision served is the initial one or an activated one "
          f"({len(seen_all - valid_revisions)} others)")
    check(not (seen_all & saver.rejected), "no rejected revision was served")
    check(final["rejections"] - initial["rejections"] == saver.broken,
          f"rejections grew by the {saver.broken} broken saves")
    check(final["activations"] - initial["activations"] == saver.valid,
          f"activations grew by the {saver.valid} valid saves")
    # Leave the folder valid for the fault tests.
    brand_file.write_text(saver.original)
    s = proc_status(pid)
    print(f"server after load: VmRSS {s['VmRSS']:.1f} MiB, VmHWM {s['VmHWM']:.1f} MiB,"
          f" {s['fds']} fds")


# -------------------------------------------------------------------------------- faults


def huge_body(host, port, brand, chunked, total=1 << 30, chunk=1 << 16):
    """Streams a `total`-byte body until the server answers or closes. Returns the status
    (None if it closed without one), the body bytes sent and the seconds it took. A reader
    thread takes the answer as soon as it comes, so a reset after it cannot lose it."""
    sock = socket.create_connection((host, port), timeout=30)
    head = f"POST /v1/brands/{brand}/rank HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/csv\r\n"
    head += "Transfer-Encoding: chunked\r\n\r\n" if chunked else f"Content-Length: {total}\r\n\r\n"
    piece = (b"a,b,c\n" * (chunk // 6 + 1))[:chunk]
    if chunked:
        piece = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    answer = bytearray()
    answered = threading.Event()

    def reader():
        try:
            while b"\r\n\r\n" not in answer:
                data = sock.recv(65536)
                if not data:
                    break
                answer.extend(data)
        except OSError:
            pass
        answered.set()

    sent = 0
    started = time.perf_counter()
    sock.sendall(head.encode())
    thread = threading.Thread(target=reader)
    thread.start()
    try:
        while sent < total and not answered.is_set():
            view = memoryview(piece)
            while view and not answered.is_set():
                n = sock.send(view)
                view = view[n:]
                sent += n
        if chunked and not answered.is_set():
            sock.sendall(b"0\r\n\r\n")
    except OSError:
        pass  # the server closed: the reader has its answer, or there is none
    answered.wait(10)
    took = time.perf_counter() - started
    try:
        sock.shutdown(socket.SHUT_RDWR)  # ends the reader if it is still waiting
    except OSError:
        pass
    thread.join()
    sock.close()
    match = re.match(rb"HTTP/1\.1 (\d{3})", bytes(answer))
    return (int(match.group(1)) if match else None), sent, took


def drop(host, port, brand, kind, rst):
    sock = socket.create_connection((host, port), timeout=10)
    if rst:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    path = f"/v1/brands/{brand}/rank"
    if kind == "headers":
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Ty".encode())
    else:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n"
                     f"Content-Length: 100000\r\n\r\nhandle,platform,followers\n"
                     f"{'a,instagram,1000' * 50}".encode())
    return sock


def wait_fds(pid, target, slack, seconds=10):
    deadline = time.time() + seconds
    while True:
        fds = proc_status(pid)["fds"]
        if fds <= target + slack or time.time() > deadline:
            return fds
        time.sleep(0.1)


def stalls(args, host, port, pid, baseline):
    """Connections that stay open without finishing a request head: half send part of one,
    half get an answer and then sit idle. The server must close them after --timeout."""
    socks = []
    for i in range(args.stalls):
        sock = socket.create_connection((host, port), timeout=10)
        if i % 2 == 0:
            sock.sendall(b"POST /v1/brands/x/rank HTTP/1.1\r\nHost: x\r\nContent-Ty")
        else:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        socks.append(sock)
    for i in range(1, args.stalls, 2):
        socks[i].recv(65536)  # the answer; the connection stays open (keep-alive)
    opened = time.perf_counter()
    held = proc_status(pid)["fds"]
    fds = wait_fds(pid, baseline, 5, seconds=args.fault_timeout + 15)
    took = time.perf_counter() - opened
    closed = 0
    for sock in socks:
        sock.settimeout(0.5)
        try:
            closed += sock.recv(1) == b""
        except ConnectionResetError:
            closed += 1
        except socket.timeout:
            pass
        sock.close()
    print(f"  {args.stalls} stalled connections ({args.stalls // 2} half a request head,"
          f" {args.stalls - args.stalls // 2} idle after an answer), server --timeout"
          f" {args.fault_timeout} s: fds {baseline} -> {held} -> {fds} after {took:.1f} s;"
          f" {closed} closed by the server")
    check(closed == args.stalls and fds <= baseline + 5,
          f"the server closed all {args.stalls} stalled connections ({closed})")


def faults(args, host, port, pid):
    print()
    print("faults (a fresh server):")
    peak_ok = reset_peak(pid)
    base = proc_status(pid)
    print(f"  server before: VmRSS {base['VmRSS']:.1f} MiB, VmHWM {base['VmHWM']:.1f} MiB"
          f" (peak {'reset' if peak_ok else 'NOT reset: includes the load runs'}),"
          f" {base['fds']} fds")
    for chunked in (False, True):
        how = "chunked, no Content-Length" if chunked else "Content-Length: 1073741824"
        reset_peak(pid)
        before = proc_status(pid)
        status, sent, took = huge_body(host, port, args.brand, chunked)
        after = proc_status(pid)
        print(f"  1 GiB body ({how}): answer {status}, {sent / (1 << 20):.1f} MiB sent before it,"
              f" {took * 1000:.0f} ms; VmRSS {before['VmRSS']:.1f} -> {after['VmRSS']:.1f} MiB,"
              f" VmHWM {after['VmHWM']:.1f} MiB")
        check(status == 413 or (chunked and status is None),
              f"1 GiB body ({how}) refused with 413" + (" or a close" if chunked else ""))
        check(sent < 64 << 20, f"  ... after {sent / (1 << 20):.1f} MiB, not 1 GiB")
        check(after["VmHWM"] < 100, f"  ... server peak RSS {after['VmHWM']:.1f} MiB < 100 MiB")

    reset_peak(pid)
    before = proc_status(pid)
    rss = []
    for round_ in range(1, args.drop_rounds + 1):
        started = time.perf_counter()
        most = 0
        for wave_start in range(0, args.drops, args.wave):
            socks = []
            for i in range(wave_start, min(args.drops, wave_start + args.wave)):
                kind = "headers" if i % 2 == 0 else "body"
                socks.append(drop(host, port, args.brand, kind, rst=(i % 3 == 0)))
            time.sleep(0.2)  # let the server read what was sent
            most = max(most, proc_status(pid)["fds"])
            for s in socks:
                s.close()
        fds = wait_fds(pid, before["fds"], 5)
        took = time.perf_counter() - started
        after = proc_status(pid)
        rss.append(after["VmRSS"])
        print(f"  round {round_}: {args.drops} connections dropped mid-request"
              f" ({args.drops // 2} in the headers, {args.drops - args.drops // 2} in the body,"
              f" {(args.drops + 2) // 3} with RST) in waves of {args.wave}, {took:.1f} s:"
              f" fds {before['fds']} -> {most} at most -> {fds}; VmRSS {before['VmRSS']:.1f} ->"
              f" {after['VmRSS']:.1f} MiB, VmHWM {after['VmHWM']:.1f} MiB")
    if len(rss) > 1:
        check(rss[-1] - rss[0] < 8,
              f"RSS levels off: {rss[0]:.1f} MiB after round 1, {rss[-1]:.1f} after round"
              f" {len(rss)}")
    stalls(args, host, port, pid, before["fds"])
    code, _ = get_json(host, port, "/healthz")
    check(code == 200, f"/healthz answers {code} afterwards")
    conn = http.client.HTTPConnection(host, port, timeout=30)
    body = make_body(args.file, 100)
    conn.request("POST", f"/v1/brands/{args.brand}/rank?top=3", body=body,
                 headers={"content-type": "text/csv"})
    reply = conn.getresponse()
    reply.read()
    conn.close()
    check(reply.status == 200, f"a rank request answers {reply.status} afterwards")
    code, status = get_json(host, port, "/v1/status")
    check(code == 200 and status.get("ready") is True and status.get("last_error") is None,
          f"/v1/status is sane (ready, revision {status.get('revision')}, no error)")
    check(fds <= before["fds"] + 5, f"fds back near baseline ({before['fds']} -> {fds})")
    check(after["VmHWM"] < 100, f"server peak RSS {after['VmHWM']:.1f} MiB < 100 MiB")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=str(ROOT / "target" / "debug" / "scout"))
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--clients", default="1,8,64")
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--file", default=str(ROOT / "examples" / "candidates.csv"))
    ap.add_argument("--brand", default="glowskin")
    ap.add_argument("--saves", type=int, default=100)
    ap.add_argument("--broken-every", type=int, default=3)
    ap.add_argument("--faults", action="store_true", help="also run the fault tests")
    ap.add_argument("--no-load", action="store_true", help="skip the load runs")
    ap.add_argument("--drops", type=int, default=1000)
    ap.add_argument("--wave", type=int, default=200)
    ap.add_argument("--drop-rounds", type=int, default=3)
    ap.add_argument("--stalls", type=int, default=400)
    ap.add_argument("--fault-timeout", type=int, default=5,
                    help="the fault server's --timeout, which also bounds a request head")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp())
    rules = tmp / "rules"
    shutil.copytree(ROOT / "rules", rules)
    try:
        # Each part gets a fresh server, so the fault figures are the faults' alone (the
        # load runs leave the allocator holding their peak working set).
        for part, wanted in ((load, not args.no_load), (faults, args.faults)):
            if not wanted:
                continue
            extra = () if part is load else ("--timeout", str(args.fault_timeout))
            proc, host, port = start(args.binary, rules, *extra)
            try:
                if part is load:
                    load(args, host, port, rules, proc.pid)
                else:
                    faults(args, host, port, proc.pid)
            finally:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=30)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if FAILURES:
        print(f"\n{len(FAILURES)} check(s) failed")
        sys.exit(1)
    print("\nall checks passed")


if __name__ == "__main__":
    main()
