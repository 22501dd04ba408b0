#!/usr/bin/env python3
"""Drives scout's live dashboard in headless Chromium over the DevTools protocol (stdlib only).

    dashboard_cdp.py live CHROMIUM SERVER_URL TOKEN RULES_DIR OUT_DIR SHOT_DIR
    dashboard_cdp.py hostile CHROMIUM SERVER_URL TOKEN OUT_DIR

`live` loads SERVER_URL/#brand=trailpack&token=TOKEN, edits a weight in
RULES_DIR/brands/trailpack.toml and requires the page to show the new revision and a change
list within 2 s; saves a broken file and requires the red banner with the diagnostic and the
revision still serving; saves the good file again and requires the banner to go.
Screenshots go to SHOT_DIR as dashboard.png and dashboard-error.png. `hostile` loads a
server whose list holds HOSTILE_HANDLE and requires it to show as text, in the table and in
the chart's tooltip, with no element made from it. Both fail on any console error,
uncaught exception or refused load (the page's CSP reports there).
"""

import base64
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request

BRAND = "trailpack"
HOSTILE_HANDLE = "<img src=x onerror=console.error(1)>"
LIVE_BUDGET = 2.0
SHOT_HEIGHT = 1700
STEP = 20.0


class WebSocket:
    """The least of RFC 6455 a DevTools client needs: text frames, masked, unfragmented out."""

    def __init__(self, url):
        match = re.match(r"ws://([^/:]+):(\d+)(/.*)", url)
        host, port, path = match.group(1), int(match.group(2)), match.group(3)
        self.sock = socket.create_connection((host, port), timeout=STEP)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
             f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
             "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.sock.recv(1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError(f"no websocket: {head!r}")

    def _exact(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise RuntimeError("the browser closed the connection")
            data += chunk
        return data

    def send(self, text):
        payload = text.encode()
        head = bytes([0x81])
        n = len(payload)
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 1 << 16:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + body)

    def receive(self):
        message = b""
        while True:
            b0, b1 = self._exact(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._exact(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._exact(8))[0]
            data = self._exact(n)
            opcode = b0 & 0x0F
            if opcode == 0x8:
                raise RuntimeError("the browser closed the websocket")
            if opcode in (0x9, 0xA):
                continue
            message += data
            if b0 & 0x80:
                return message.decode()


class Page:
    """One tab: commands by id, events collected; console errors kept as failures."""

    def __init__(self, ws_url):
        self.ws = WebSocket(ws_url)
        self.next_id = 0
        self.problems = []

    def _note(self, event):
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            self.problems.append("uncaught: " + json.dumps(params["exceptionDetails"])[:500])
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self.problems.append("console: " + json.dumps(params.get("args"))[:500])
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            self.problems.append("log: " + params["entry"].get("text", ""))

    def call(self, method, **params):
        self.next_id += 1
        wanted = self.next_id
        self.ws.send(json.dumps({"id": wanted, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.receive())
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._note(message)

    def eval(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    def wait(self, what, expression, budget=STEP):
        started = time.monotonic()
        while time.monotonic() - started < budget:
            value = self.eval(expression)
            if value:
                return time.monotonic() - started
            time.sleep(0.05)
        raise AssertionError(f"{what} did not happen within {budget:.1f} s")

    def screenshot(self, path):
        """The top of the page, at most SHOT_HEIGHT px: header, banner, changes, charts."""
        height = min(int(self.eval("document.documentElement.scrollHeight")), SHOT_HEIGHT)
        self.call("Emulation.setDeviceMetricsOverride", width=1280, height=height,
                  deviceScaleFactor=1, mobile=False)
        time.sleep(2.0)  # the change list's highlight fades in 1.6 s
        shot = self.call("Page.captureScreenshot", format="png")
        with open(path, "wb") as out:
            out.write(base64.b64decode(shot["data"]))
        self.call("Emulation.setDeviceMetricsOverride", width=1280, height=900,
                  deviceScaleFactor=1, mobile=False)


def start_chromium(chromium, profile, log):
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--remote-debugging-port=0", "--hide-scrollbars",
             "--window-size=1280,900", "about:blank"]
    browser = subprocess.Popen([chromium, *flags], stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + STEP
    while time.monotonic() < deadline:
        port_file = os.path.join(profile, "DevToolsActivePort")
        if os.path.exists(port_file):
            lines = open(port_file).read().split()
            if len(lines) >= 2:
                return browser, int(lines[0])
        time.sleep(0.05)
    browser.kill()
    raise RuntimeError("Chromium did not open its DevTools port")


def page_socket(port):
    for _ in range(100):
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
        pages = [t for t in targets if t.get("type") == "page"]
        if pages:
            return pages[0]["webSocketDebuggerUrl"]
        time.sleep(0.05)
    raise RuntimeError("Chromium has no page")


def edit_weights(path):
    text = open(path).read()
    edited = text.replace("\nengagement = 0.30", "\nengagement = 0.40", 1)
    edited = edited.replace("\nniche_fit = 0.35", "\nniche_fit = 0.25", 1)
    assert edited != text, f"the weights of {path} are not the expected ones"
    return edited


def save(path, text):
    with open(path, "w") as out:
        out.write(text)


def selftest(page):
    """The check must catch what it looks for: a console error is a failure."""
    page.eval("console.error('selftest')")
    page.eval("1")
    if not any("selftest" in p for p in page.problems):
        raise AssertionError("the console check missed a console.error; did the protocol change?")
    page.problems.clear()


def open_page(page, server, token):
    for domain in ("Page", "Runtime", "Log"):
        page.call(f"{domain}.enable")
    selftest(page)
    page.call("Page.navigate", url=f"{server}/#brand={BRAND}&token={token}")
    status = urllib.request.Request(f"{server}/v1/status", headers={"Authorization": f"Bearer {token}"})
    return json.load(urllib.request.urlopen(status))["revision"]


def hostile(page, server, token):
    open_page(page, server, token)
    page.wait("the ranking", "document.querySelectorAll('#rows tr').length > 0"
              " && document.querySelector('#engagement-chart svg.chart.scatter') !== null")
    wanted = json.dumps("@" + HOSTILE_HANDLE)
    shown = page.eval(f"[...document.querySelectorAll('#rows td.handle')].some(td => td.textContent.startsWith({wanted}))")
    tooltip = page.eval(f"[...document.querySelectorAll('#engagement-chart title')].some(t => t.textContent.startsWith({wanted}))")
    made = page.eval("document.querySelectorAll('img, script:not([src])').length")
    assert shown and tooltip, f"the hostile handle is not shown as text (table {shown}, chart {tooltip})"
    assert made == 0, f"{made} elements were made from data"
    print("ok: a hostile handle shows as text in the table and the chart, and runs nothing")


def run(page, server, token, rules, shots):
    first = open_page(page, server, token)
    page.wait("the first ranking", f"document.getElementById('revision').textContent === '{first}'"
              " && document.querySelectorAll('#rows tr').length > 0"
              " && document.querySelector('#engagement-chart svg.chart.scatter') !== null"
              " && document.querySelector('#scores-chart svg.chart.histogram') !== null"
              " && document.getElementById('live').classList.contains('on')")
    path = os.path.join(rules, "brands", f"{BRAND}.toml")
    good = edit_weights(path)
    save(path, good)
    took = page.wait("the new revision and its changes",
                     f"document.getElementById('revision').textContent !== '{first}'"
                     " && !document.getElementById('changes').hidden"
                     " && document.querySelectorAll('#change-list li').length > 0",
                     budget=LIVE_BUDGET)
    second = page.eval("document.getElementById('revision').textContent")
    changes = page.eval("[...document.querySelectorAll('#change-list li')].map(li => li.textContent)")
    print(f"ok: revision {first} → {second} shown in {took:.2f} s; {len(changes)} changes, first: {changes[0]}")
    page.eval("window.scrollTo(0, 0)")
    page.screenshot(os.path.join(shots, "dashboard.png"))

    save(path, good.replace("[weights]", "[weights", 1))
    page.wait("the red banner", "!document.getElementById('banner').hidden"
              f" && document.getElementById('banner-text').textContent.includes('{second}')"
              f" && document.getElementById('banner-diagnostics').textContent.includes('{BRAND}.toml')",
              budget=LIVE_BUDGET)
    kept = page.eval("document.getElementById('revision').textContent")
    assert kept == second, f"the page shows {kept}, not the revision still serving ({second})"
    print("ok: a broken save shows the red banner with the diagnostic; still serving " + second)
    page.screenshot(os.path.join(shots, "dashboard-error.png"))

    save(path, good)
    page.wait("the banner to clear", "document.getElementById('banner').hidden", budget=LIVE_BUDGET)
    print("ok: the banner clears when the folder is valid again")


def main():
    mode, chromium, server, token = sys.argv[1:5]
    out = sys.argv[6] if mode == "live" else sys.argv[5]
    profile = tempfile.mkdtemp(prefix="scout-dashboard-chromium-")
    with open(os.path.join(out, f"chromium-{mode}.log"), "w") as log:
        browser, port = start_chromium(chromium, profile, log)
        try:
            page = Page(page_socket(port))
            if mode == "live":
                run(page, server, token, sys.argv[5], sys.argv[7])
            else:
                hostile(page, server, token)
        finally:
            browser.kill()
            browser.wait()
            shutil.rmtree(profile, ignore_errors=True)
    if page.problems:
        for problem in page.problems:
            print("error: " + problem, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
