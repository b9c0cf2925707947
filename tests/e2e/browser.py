"""A real headless browser for UI tests: Debian's chromium, driven by its chromedriver through Selenium.

Nothing is downloaded: the driver's path is given, so Selenium Manager never looks for a browser or a
driver, and chromium runs without background networking, component updates or sync, in a fresh
profile. ``make browser`` installs both packages (``make test-e2e`` runs it).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
)


def headless_chromium(profile: Path, width: int = 1400, height: int = 1000) -> webdriver.Chrome:
    browser, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (browser and driver):
        pytest.fail("Debian's chromium and chromium-driver are needed: run `make browser` (as root).")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service(executable_path=driver))


def full_page_screenshot(chromium: webdriver.Chrome, path: Path) -> Path:
    """A PNG of the whole page, not just the window: the window is grown to the page's height first."""
    width = chromium.get_window_size()["width"]
    height = chromium.execute_script("return document.documentElement.scrollHeight")
    chromium.set_window_size(width, height)
    chromium.save_screenshot(str(path))
    return path
