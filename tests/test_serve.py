"""`cexpert serve`: the TUI in browsers. Localhost only unless --demo; --public-url sets the
page's websocket address; end to end in a real headless Chromium (the app writes its
screen as text, CEXPERT_SCREEN_LOG, since the browser draws on a canvas)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from argparse import Namespace
from pathlib import Path

import pytest

from cexpert.cli.serve import child_command, is_loopback
from cexpert.resources import examples_dir
from test_check_cli import cli

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.5"])
def test_loopback_hosts_are_recognised(host):
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "10.0.0.5", "::", "192.168.1.20"])
def test_network_hosts_are_not_loopback(host):
    assert not is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "10.0.0.5"])
def test_serving_client_data_beyond_this_machine_is_refused(capsys, host):
    code, out, err = cli(capsys, "serve", "--host", host)
    assert code == 2 and "no authentication" in err and "--demo" in err and not out


def test_the_demo_takes_no_client_folder_or_rules(capsys):
    code, _, err = cli(capsys, "serve", "--demo", "--clients", "mine")
    assert code == 2 and "teaching cases only" in err


def test_the_demo_child_reads_no_client_folder():
    args = Namespace(demo=True, projector=True, clients="clients", rules=None)
    command = child_command(args)
    assert "--demo" in command and "--projector" in command and "--clients" not in command


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited: {process.stderr.read()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not start listening")


@pytest.fixture
def server(tmp_path):
    """server(*args) -> (port, screen log folder); stopped, with its app processes, after."""
    started: list[subprocess.Popen] = []

    def start(*args: str) -> tuple[int, Path]:
        port = _free_port()
        logs = tmp_path / "screens"
        logs.mkdir(exist_ok=True)
        env = {**os.environ, "CEXPERT_SCREEN_LOG": str(logs)}
        process = subprocess.Popen(
            [sys.executable, "-m", "cexpert.cli", "serve", "--port", str(port), *args],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
            start_new_session=True)  # its own group: the app processes stop with it
        started.append(process)
        _wait_for(port, process)
        return port, logs

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        with contextlib.suppress(ProcessLookupError):  # any app process left behind
            os.killpg(process.pid, signal.SIGKILL)


def test_public_url_sets_the_websocket_address_the_page_uses(server):
    port, _ = server("--demo", "--public-url", "https://classroom.example:9443")
    page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30).read().decode()
    assert 'data-session-websocket-url="wss://classroom.example:9443/ws"' in page


def test_without_public_url_the_page_connects_back_to_the_server(server):
    port, _ = server()
    page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30).read().decode()
    assert f'data-session-websocket-url="ws://127.0.0.1:{port}/ws"' in page


def test_projector_serves_large_text(server):
    port, _ = server("--demo", "--projector")
    page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30).read().decode()
    assert 'data-font-size="28"' in page


# --- end to end in a real browser -------------------------------------------------------------


def _browser_missing() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).exists():
            return f"{path} is not installed (Debian: apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (uv sync)"
    return None


@pytest.fixture
def browser(tmp_path, require):
    require("browser", _browser_missing())
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service as DriverService

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
                 "--window-size=1280,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=DriverService(executable_path=CHROMEDRIVER),
                              options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _screen(logs: Path, wanted: str, timeout: float = 60) -> str:
    """The app's screen once it shows `wanted` (the newest screen log, polled)."""
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        files = sorted(logs.glob("screen-*.txt"), key=lambda p: p.stat().st_mtime)
        if files:
            text = files[-1].read_text(encoding="utf-8")
            if wanted in text:
                return text
        time.sleep(0.2)
    raise AssertionError(f"the screen never showed {wanted!r}; last screen:\n{text}")


def _press(driver, *keys: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    for key in keys:
        ActionChains(driver).send_keys(key).perform()
        time.sleep(0.3)


def test_a_class_opens_a_lesson_in_the_browser_and_a_tick_changes_the_results(
        server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    port, logs = server("--demo")
    course = {p: p.stat().st_mtime for p in (examples_dir() / "teaching").iterdir()}
    browser.get(f"http://127.0.0.1:{port}/")
    assert browser.find_element(By.TAG_NAME, "body")  # the page loaded
    lessons = _screen(logs, "Lessons (Enter opens the case")
    assert "1. One table row fires" in lessons
    browser.find_element(By.TAG_NAME, "body").click()  # focus the terminal
    _press(browser, Keys.ENTER)
    opened = _screen(logs, "Soleus")
    assert "Lesson 1: heels rise" in opened and "Upper trapezius" not in opened
    _press(browser, " ")  # tick the highlighted finding: forward head
    changed = _screen(logs, "Upper trapezius")
    assert "▐X▌ Forward head" in changed and "Soleus" in changed
    assert {p: p.stat().st_mtime for p in (examples_dir() / "teaching").iterdir()} == course
