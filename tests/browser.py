"""Drive headless Chromium through the DevTools protocol over a pipe: no Python dependency.

`--remote-debugging-pipe` makes Chromium read NUL-terminated JSON commands on fd 3 and write its
answers and events on fd 4. One browser, one page (target), flat session; every wait has a
deadline and the browser's whole process group is killed on exit, whatever happened.

    with Browser() as browser:
        page = browser.open(Path("report.html"))
        page.evaluate("document.title")
        page.console_errors, page.failed_requests   # collected since the page was opened
        page.screenshot()                            # PNG bytes, full page

The network stays off: a proxy that cannot answer (127.0.0.1:9, loopback included) and a host
resolver that resolves nothing, so a page that tried to load anything would fail (and be seen).
"""

from __future__ import annotations

import base64
import ctypes
import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
TIMEOUT_S = 30.0

FLAGS = (
    "--headless",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",  # screenshots and widths do not depend on a scrollbar
    "--mute-audio",
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--remote-debugging-pipe",
)


PR_SET_PDEATHSIG = 1


class BrowserError(RuntimeError):
    pass


def _prctl():
    """libc's prctl (looked up before fork), or None off Linux."""
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def find_chromium() -> str | None:
    """The Chromium binary: $CHROMIUM, else Debian's /usr/bin/chromium, else one on PATH."""
    for name in (os.environ.get("CHROMIUM"), *CANDIDATES):
        if name and (path := shutil.which(name)):
            return path
    return None


class Browser:
    def __init__(self, width: int = 1200, height: int = 800, timeout: float = TIMEOUT_S,
                 binary: str | None = None) -> None:
        self.width, self.height, self.timeout = width, height, timeout
        self.binary = binary or find_chromium()
        if not self.binary:
            raise BrowserError("Chromium not found: install Debian's chromium")
        self.proc: subprocess.Popen | None = None
        self._next_id = 0
        self._buffer = b""
        self._events: list[dict[str, Any]] = []

    # --- process ----------------------------------------------------------------------------
    def __enter__(self) -> Browser:
        self._profile = tempfile.TemporaryDirectory(prefix="cxkit-chromium-")
        self._stderr = tempfile.TemporaryFile()
        # Chromium reads fd 3 and writes fd 4. Popen cannot renumber descriptors (pass_fds keeps
        # their numbers and forces close_fds, which runs after preexec_fn), so the child dup2()s
        # our ends, first moved to 10+ and close-on-exec, onto 3 and 4 itself.
        read_end, self._to_child = os.pipe()  # we write commands, Chromium reads fd 3
        self._from_child, write_end = os.pipe()  # Chromium writes fd 4, we read
        child_in = fcntl.fcntl(read_end, fcntl.F_DUPFD_CLOEXEC, 10)
        child_out = fcntl.fcntl(write_end, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(read_end)
        os.close(write_end)

        prctl = _prctl()

        def to_3_and_4() -> None:  # in the child, between fork and exec
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)
            if prctl is not None:  # Linux: die with the test process, even if it is killed
                prctl(PR_SET_PDEATHSIG, signal.SIGKILL)

        args = [self.binary, *FLAGS, f"--user-data-dir={self._profile.name}",
                f"--window-size={self.width},{self.height}", "about:blank"]
        try:
            self.proc = subprocess.Popen(
                args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._stderr,
                close_fds=False, preexec_fn=to_3_and_4, start_new_session=True,
            )
        except BaseException:
            for fd in (self._to_child, self._from_child):
                os.close(fd)
            self._cleanup()
            raise
        finally:
            os.close(child_in)
            os.close(child_out)
        try:
            self.send("Target.setDiscoverTargets", {"discover": False})  # proves the pipe works
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self.proc and self.proc.poll() is None:
                try:
                    self._write({"id": self._new_id(), "method": "Browser.close"})
                    self.proc.wait(timeout=5)
                except (OSError, subprocess.TimeoutExpired):
                    pass
        finally:
            self._kill()
            for fd in (self._to_child, self._from_child):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self._cleanup()

    def _kill(self) -> None:
        """Kill the browser's process group (its renderers and helpers too): ours alone."""
        if not self.proc:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass

    def _cleanup(self) -> None:
        self._stderr.close()
        self._profile.cleanup()

    def stderr_tail(self, chars: int = 2000) -> str:
        try:
            self._stderr.seek(0)
            return self._stderr.read().decode("utf-8", "replace")[-chars:]
        except (OSError, ValueError):
            return ""

    # --- protocol ---------------------------------------------------------------------------
    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _write(self, message: dict[str, Any]) -> None:
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self._to_child, data):]

    def _read(self, deadline: float) -> dict[str, Any]:
        """The next message from Chromium, or BrowserError at the deadline or if it died."""
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError(f"Chromium did not answer in time\n{self.stderr_tail()}")
            ready, _, _ = select.select([self._from_child], [], [], min(left, 0.5))
            if not ready:
                if self.proc and self.proc.poll() is not None:
                    raise BrowserError(f"Chromium exited ({self.proc.returncode})\n"
                                       f"{self.stderr_tail()}")
                continue
            chunk = os.read(self._from_child, 1 << 20)
            if not chunk:
                raise BrowserError(f"Chromium closed the pipe\n{self.stderr_tail()}")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, params: dict[str, Any] | None = None,
             session: str | None = None, timeout: float | None = None) -> dict[str, Any]:
        """Send one command and return its result; events that arrive meanwhile are kept."""
        id_ = self._new_id()
        message: dict[str, Any] = {"id": id_, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._write(message)
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            reply = self._read(deadline)
            if reply.get("id") == id_:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self._events.append(reply)

    def wait_event(self, method: str, session: str | None = None,
                   timeout: float | None = None) -> dict[str, Any]:
        """Wait for (and consume) the first event `method` of `session`."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            for i, event in enumerate(self._events):
                if event["method"] == method and (session is None
                                                  or event.get("sessionId") == session):
                    return self._events.pop(i)
            self._events.append(self._read(deadline))

    def events(self, session: str) -> list[dict[str, Any]]:
        """Take the events of `session` received so far."""
        mine = [e for e in self._events if e.get("sessionId") == session]
        self._events = [e for e in self._events if e.get("sessionId") != session]
        return mine

    # --- pages ------------------------------------------------------------------------------
    def open(self, target: str | Path, width: int | None = None,
             height: int | None = None) -> Page:
        """A new page showing `target` (a file path or URL), once its load event fired."""
        url = Path(target).resolve().as_uri() if isinstance(target, Path) else target
        target_id = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget",
                            {"targetId": target_id, "flatten": True})["sessionId"]
        page = Page(self, target_id, session, width or self.width, height or self.height)
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=session)
        page.set_viewport(page.width, page.height)
        page.navigate(url)
        return page


class Page:
    """One tab. console_errors and failed_requests fill as events arrive (see collect())."""

    def __init__(self, browser: Browser, target_id: str, session: str, width: int,
                 height: int) -> None:
        self.browser, self.target_id, self.session = browser, target_id, session
        self.width, self.height = width, height
        self.console_errors: list[str] = []
        self.failed_requests: list[str] = []
        self.requests: list[str] = []  # every URL the page asked for, the document included

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.browser.send(method, params, session=self.session)

    def navigate(self, url: str) -> None:
        self.collect()
        reply = self.send("Page.navigate", {"url": url})
        if reply.get("errorText"):
            raise BrowserError(f"cannot open {url}: {reply['errorText']}")
        self.browser.wait_event("Page.loadEventFired", self.session)
        self.collect()

    def collect(self) -> None:
        """Sort the events received so far into console errors and requests."""
        for event in self.browser.events(self.session):
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                text = " ".join(str(a.get("value", a.get("description", "")))
                                for a in params.get("args", []))
                self.console_errors.append(f"console.{params['type']}: {text}")
            elif method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                text = details.get("exception", {}).get("description") or details.get("text")
                self.console_errors.append(f"exception: {text}")
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                entry = params["entry"]
                self.console_errors.append(f"{entry.get('source')}: {entry.get('text')} "
                                           f"{entry.get('url', '')}".rstrip())
            elif method == "Network.requestWillBeSent":
                self.requests.append(params.get("request", {}).get("url", ""))
            elif method == "Network.loadingFailed":
                self.failed_requests.append(f"{params.get('errorText')} "
                                            f"{params.get('blockedReason', '')}".rstrip())

    def close(self) -> None:
        self.browser.send("Target.closeTarget", {"targetId": self.target_id})

    def __enter__(self) -> Page:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.browser.proc and self.browser.proc.poll() is None:
            self.close()

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression (JSON-able), run in the page."""
        reply = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                               "awaitPromise": True})
        if "exceptionDetails" in reply:
            details = reply["exceptionDetails"]
            raise BrowserError(f"{expression[:80]}: "
                               f"{details.get('exception', {}).get('description', details)}")
        self.collect()
        return reply["result"].get("value")

    def set_viewport(self, width: int, height: int, mobile: bool = False) -> None:
        self.width, self.height = width, height
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})

    def screenshot(self, full_page: bool = True) -> bytes:
        """A PNG of the page at the current width: the whole page height when full_page."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            height = self.evaluate("Math.ceil(document.documentElement.scrollHeight)")
            width = self.evaluate("Math.ceil(document.documentElement.scrollWidth)")
            params["clip"] = {"x": 0, "y": 0, "width": max(width, self.width),
                              "height": height, "scale": 1}
            params["captureBeyondViewport"] = True
        return base64.b64decode(self.send("Page.captureScreenshot", params)["data"])
