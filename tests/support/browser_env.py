"""What the browser tests (page_browser.py, console_browser.py) share: Debian's Chromium and
chromedriver driven by Selenium, the tool check (`SCRIPT --check` exits 0 when all are here, 2
with what is missing otherwise), and the failure of an expectation.

Imported first by each script, so a missing tool stops it before anything runs.
"""
import os
import shutil
import sys

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", shutil.which("chromedriver") or "/usr/bin/chromedriver")


def missing(what):
    print(what, file=sys.stderr)
    sys.exit(2)


try:
    from selenium import webdriver
    from selenium.common.exceptions import (  # noqa: F401 (re-exported to the scripts)
        ElementClickInterceptedException,
        StaleElementReferenceException,
        TimeoutException,
    )
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By  # noqa: F401
    from selenium.webdriver.common.keys import Keys  # noqa: F401
    from selenium.webdriver.support import expected_conditions as EC  # noqa: F401
    from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: F401
except ImportError as error:
    missing(f"Python's selenium is missing ({error}): python3 -m pip install selenium")

for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
    if not (path and os.path.exists(path)):
        missing(f"{package} is not installed: apt-get install chromium chromium-driver")

if len(sys.argv) > 1 and sys.argv[1] == "--check":
    sys.exit(0)


class Failed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Failed(message)


def chrome(window_size, extra_args=(), prefs=None):
    """Headless Chromium in French, without background networking (this machine's network is
    closed), logging every request and console message."""
    options = Options()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                f"--window-size={window_size}", "--lang=fr-FR", "--no-first-run", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                *extra_args):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    options.add_experimental_option("prefs", {"intl.accept_languages": "fr-FR,fr", **(prefs or {})})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
