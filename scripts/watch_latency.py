#!/usr/bin/env python3
"""Save-to-new-ranking latency of `scout watch`, split into debounce, settle, reload, re-rank.

usage: scripts/watch_latency.py CANDIDATES [--brand NAME] [--saves N] [--scout PATH]

Copies the bundled rules/ to a temp dir, starts `scout watch CANDIDATES` on it, then saves
brands/<brand>.toml N times like an editor (write a temp file, rename it over), each time
with a different niche weight, waiting for each new ranking before the next save. For each
save it records the wall time from the rename to the moment the update's timing line is
read from scout's stderr (printed after the table), and the debounce / reload / re-rank
figures scout reports (what is left is printing and pipe latency), and the CPU time the
scout process used per update (user + system, all threads, from /proc; 10 ms ticks), which
unlike wall time does not depend on what else the machine is running. Prints the median, min and max of each. Build with
`cargo build --release` first.
"""
import argparse, os, re, shutil, statistics, subprocess, sys, tempfile, threading, queue, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("candidates")
    p.add_argument("--brand", default="glowskin")
    p.add_argument("--saves", type=int, default=20)
    p.add_argument("--debounce", type=int, default=100)
    p.add_argument("--scout", default=os.path.join(ROOT, "target/release/scout"))
    a = p.parse_args()

    load = open("/proc/loadavg").read().split()[0]
    tmp = tempfile.mkdtemp(prefix="scout-latency-")
    try:
        rules = os.path.join(tmp, "rules")
        shutil.copytree(os.path.join(ROOT, "rules"), rules)
        # The saves below change the brand's weights; its own rule tests would veto them
        # (and their run would be timed too), so this copy leaves them out.
        tests = os.path.join(rules, "brands", a.brand + ".tests.toml")
        if os.path.exists(tests):
            os.remove(tests)
        candidates = os.path.abspath(a.candidates)
        proc = subprocess.Popen(
            [a.scout, "watch", candidates, "--brand", a.brand, "--rules", rules, "--top", "10",
             "--debounce", str(a.debounce)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "NO_COLOR": "1"})
        lines = queue.Queue()
        threading.Thread(target=lambda: [lines.put((time.monotonic(), l)) for l in proc.stderr],
                         daemon=True).start()

        def wait(pattern, timeout=60):
            deadline = time.monotonic() + timeout
            while True:
                t, line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
                m = re.search(pattern, line)
                if m:
                    return t, m, line

        def cpu_ms():
            fields = open(f"/proc/{proc.pid}/stat").read().rsplit(")", 1)[1].split()
            return 1000 * (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

        _, m, first = wait(r"^rank ([\d.]+) ms")
        wait(r"Ctrl-C to stop")
        brand = os.path.join(rules, "brands", a.brand + ".toml")
        original = open(brand).read()
        rows = []
        for i in range(a.saves):
            weight = "0.%02d" % (50 + i % 49)
            text = re.sub(r"(?m)^(\w+) = [\d.]+$", lambda m: f"{m.group(1)} = {weight}", original, count=1)
            temp = os.path.join(os.path.dirname(brand), "." + a.brand + ".toml.swp")
            with open(temp, "w") as f:
                f.write(text)
            cpu = cpu_ms()
            saved = time.monotonic()
            os.rename(temp, brand)
            t, m, line = wait(
                r"debounce ([\d.]+) ms · settle ([\d.]+) ms · reload ([\d.]+) ms · re-rank ([\d.]+) ms")
            rows.append((1000 * (t - saved), *map(float, m.groups()), cpu_ms() - cpu))
        proc.send_signal(2)
        proc.wait(timeout=10)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    n = sum(1 for _ in open(a.candidates)) - 1
    print(f"{n} candidates, brand {a.brand}, {a.saves} saves, debounce {a.debounce} ms; "
          f"first ranking: {first.strip()}")
    print(f"load average before: {load}")
    print(f"{'ms':<16}{'median':>8}{'min':>8}{'max':>8}")
    names = ["save → printed", "debounce", "settle", "reload", "re-rank", "CPU per update"]
    for i, name in enumerate(names):
        col = [r[i] for r in rows]
        print(f"{name:<16}{statistics.median(col):>8.1f}{min(col):>8.1f}{max(col):>8.1f}")


if __name__ == "__main__":
    sys.exit(main())
