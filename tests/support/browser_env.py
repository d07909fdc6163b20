"""What the browser tests (page_browser.py, console_browser.py) share: Debian's Chromium and
chromedriver driven by Selenium, the tool check (`SCRIPT --check` exits 0 when all are here, 2
with what is missing otherwise), the failure of an expectation, and a Session's waiting,
clicking, screenshots and label checks.

Imported first by each script, so a missing tool stops it before anything runs.
"""
import base64
import os
import shutil
import sys
import time

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


class Session:
    """What both scripts do with their browser: wait for what a screen shows, click, take
    whole-page screenshots (into `scenario["screenshots"]`), check labels and names. Each script
    subclasses it with its own browser and checks."""

    #: The file name of the screenshot taken when a wait times out.
    failure_shot = "failure"
    #: The tallest screenshot, in CSS pixels (None: the whole page).
    max_shot_height = None

    def __init__(self, scenario, driver):
        self.s = scenario
        self.driver = driver
        self.screens = []

    def wait(self, condition, what, timeout=20):
        try:
            # A screen redraws itself after each change: an element read meanwhile is read again.
            return WebDriverWait(self.driver, timeout, ignored_exceptions=[StaleElementReferenceException]).until(condition)
        except TimeoutException:
            self.shot(self.failure_shot)
            # Without the fragment, which may hold a token.
            raise Failed(f"timed out waiting for {what} on {self.driver.current_url.split('#')[0]}:\n"
                         + self.driver.find_element(By.TAG_NAME, "body").text[:3000])

    def by_id(self, id_, timeout=20):
        return self.wait(EC.visibility_of_element_located((By.ID, id_)), f"#{id_}", timeout)

    def css(self, selector, timeout=20):
        return self.wait(EC.visibility_of_element_located((By.CSS_SELECTOR, selector)), selector, timeout)

    def text_in(self, id_, text, timeout=20):
        """Waits until `text` is in the element `id_`; its whole text."""
        def found(d):
            content = d.find_element(By.ID, id_).text
            return content if text in content else False
        return self.wait(found, f"{text!r} in #{id_}", timeout)

    def click(self, element):
        """Scrolls `element` to the middle of the window, then clicks it."""
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
        try:
            element.click()
        except ElementClickInterceptedException:
            time.sleep(0.3)  # a layout still settling
            element.click()
        return element

    def shot(self, name):
        """A screenshot of the whole page, beyond the window's height (up to max_shot_height)."""
        directory = self.s.get("screenshots")
        if not directory:
            return
        os.makedirs(directory, exist_ok=True)
        time.sleep(0.2)  # let the focus ring and fonts settle
        metrics = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        width = max(metrics["cssContentSize"]["width"], metrics["cssLayoutViewport"]["clientWidth"])
        height = metrics["cssContentSize"]["height"]
        if self.max_shot_height:
            height = min(height, self.max_shot_height)
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        })
        path = os.path.join(directory, f"{name}.png")
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        self.screens.append(path)

    def labelled(self, where, h1="h1"):
        """The document has a language, every control a label, every button and link a name,
        and there is exactly one `h1` (the selector)."""
        problems = self.driver.execute_script("""
            var out = [];
            if (!document.documentElement.lang) out.push('html has no lang');
            document.querySelectorAll('input, select, textarea').forEach(function (c) {
              if (c.type === 'hidden' || c.closest('[hidden]')) return;
              if (!(c.labels && c.labels.length) && !c.getAttribute('aria-label')) out.push('unlabelled ' + c.outerHTML.slice(0, 80));
            });
            document.querySelectorAll('button, a[href]').forEach(function (b) {
              if (b.closest('[hidden]') || b.hidden) return;
              if (!(b.textContent.trim() || b.getAttribute('aria-label'))) out.push('nameless ' + b.outerHTML.slice(0, 80));
            });
            if (document.querySelectorAll(arguments[0]).length !== 1) out.push('not exactly one ' + arguments[0]);
            return out;
        """, h1)
        expect(not problems, f"{where}: {problems}")
