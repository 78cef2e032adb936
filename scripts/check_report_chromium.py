#!/usr/bin/env python3
"""Open a pewlike HTML report in headless Chromium and check it renders.

Usage:  python scripts/check_report_chromium.py pewlike-report/index.html [--screenshot out.png] [--full]

Checks (exit 1 and one line per failure when any fails):
  * the page loads (Page.loadEventFired);
  * every <img> has loaded (complete, naturalWidth > 0) and there is at least one;
  * no console error, no JavaScript exception, no failed network request;
  * a screenshot of the page is not blank (many distinct colours, ink on much of it).

Chromium is driven through the DevTools protocol over ``--remote-debugging-pipe`` (file
descriptors 3 and 4, NUL-separated JSON), so the script needs only the standard library plus
matplotlib (to read the screenshot). Debian: ``apt-get install chromium``.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-pipe",
    "--window-size=1280,1800",
]


def find_chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise SystemExit("check_report_chromium: no chromium found; install it (apt-get install chromium)")


class Browser:
    """A headless Chromium speaking the DevTools protocol on a pipe."""

    def __init__(self, exe: str, profile: str):
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def wire():  # the child's fd 3 reads our commands, fd 4 writes its replies
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        self.proc = subprocess.Popen(
            [exe, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=wire,
            pass_fds=(3, 4),
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._id = 0
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 30.0) -> dict:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method: str, timeout: float = 30.0) -> dict:
        deadline = time.monotonic() + timeout
        for ev in self.events:
            if ev.get("method") == method:
                return ev
        while True:
            ev = self._read(deadline)
            self.events.append(ev)
            if ev.get("method") == method:
                return ev

    def _read(self, deadline: float) -> dict:
        import select

        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("Chromium did not answer in time")
            ready, _, _ = select.select([self._from_chrome], [], [], left)
            if ready:
                chunk = os.read(self._from_chrome, 1 << 20)
                if not chunk:
                    raise RuntimeError(
                        "Chromium closed the DevTools pipe: " + self.proc.stderr.read().decode(errors="replace")[-500:]
                    )
                self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.send("Browser.close", timeout=5)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


IMAGES_JS = """JSON.stringify(Array.from(document.images).map(i => ({
  alt: i.alt, complete: i.complete, width: i.naturalWidth, height: i.naturalHeight})))"""


def blank_stats(png: bytes) -> tuple[float, int]:
    """Share of non-white pixels and number of distinct colours of a screenshot."""
    import io

    import numpy as np
    from matplotlib import image

    img = image.imread(io.BytesIO(png), format="png")[..., :3]
    ink = float(np.mean(np.any(img < 0.97, axis=-1)))
    colours = len(np.unique((img.reshape(-1, 3) * 255).astype(np.uint8), axis=0))
    return ink, colours


def check(html: Path, screenshot: Path | None, full: bool) -> list[str]:
    problems: list[str] = []
    exe = find_chromium()
    with tempfile.TemporaryDirectory(prefix="pewlike-chromium-") as profile:
        b = Browser(exe, profile)
        try:
            target = b.send("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = b.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            for domain in ("Page", "Runtime", "Log", "Network"):
                b.send(f"{domain}.enable", session=session)
            b.send("Page.navigate", {"url": html.resolve().as_uri()}, session=session)
            b.wait_event("Page.loadEventFired", timeout=60)
            images = json.loads(
                b.send("Runtime.evaluate", {"expression": IMAGES_JS, "returnByValue": True}, session=session)["result"][
                    "value"
                ]
            )
            if not images:
                problems.append("the page has no images")
            for img in images:
                if not img["complete"] or img["width"] == 0:
                    problems.append(f"image did not load: {img['alt'][:80]!r}")
            params = {"format": "png", "captureBeyondViewport": full}
            if full:
                size = b.send("Page.getLayoutMetrics", session=session)["cssContentSize"]
                params["clip"] = {
                    "x": 0,
                    "y": 0,
                    "width": size["width"],
                    "height": min(size["height"], 16000),
                    "scale": 1,
                }
            png = base64.b64decode(b.send("Page.captureScreenshot", params, session=session)["data"])
            time.sleep(0.2)
            b.send("Runtime.evaluate", {"expression": "1"}, session=session)  # flush pending events
        finally:
            b.close()
    for ev in b.events:
        m, p = ev.get("method"), ev.get("params", {})
        if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            problems.append(f"console error: {' '.join(str(a.get('value', a.get('description'))) for a in p['args'])}")
        elif m == "Runtime.exceptionThrown":
            problems.append(f"JavaScript exception: {p['exceptionDetails'].get('text')}")
        elif m == "Log.entryAdded" and p["entry"].get("level") == "error":
            problems.append(f"console error: {p['entry'].get('text')} {p['entry'].get('url', '')}")
        elif m == "Network.loadingFailed":
            problems.append(f"request failed: {p.get('errorText')}")
    ink, colours = blank_stats(png)
    if ink < 0.02 or colours < 16:
        problems.append(f"screenshot looks blank: {ink:.1%} of pixels inked, {colours} colours")
    if screenshot:
        screenshot.write_bytes(png)
    print(
        f"check_report_chromium: {html}: {len(images)} images, screenshot {ink:.1%} inked, {colours} colours"
        + (f", saved to {screenshot}" if screenshot else "")
    )
    return problems


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("html", type=Path, help="the report's index.html")
    ap.add_argument("--screenshot", type=Path, default=None, help="save the screenshot here")
    ap.add_argument("--full", action="store_true", help="screenshot the whole page, not the first screen")
    args = ap.parse_args(argv)
    if not args.html.is_file():
        print(f"check_report_chromium: {args.html} not found; build it with `pewlike report`", file=sys.stderr)
        return 1
    problems = check(args.html, args.screenshot, args.full)
    for p in problems:
        print(f"FAIL: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
