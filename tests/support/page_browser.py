#!/usr/bin/env python3
"""Drives the built-in pages in headless Chromium (Selenium + Debian's chromedriver), for
tests/api/page.rs.

    page_browser.py --check          exit 0 when Selenium, chromium and chromedriver are here
    page_browser.py SCENARIO.json    run the scenario the Rust test wrote; print a JSON report

Exit codes: 0 passed, 1 an expectation failed (the message says which), 2 a tool is missing.
Every request the browser makes is read from Chrome's performance log: no manage token may
appear in a URL or a header other than `Authorization`.
"""
import json
import os
import sys
import tempfile

import browser_env
from browser_env import By, EC, Failed, Keys, Select, chrome, expect


def browser(downloads):
    driver = chrome("412,915", ["--metrics-recording-only"], {
        "download.default_directory": downloads,
        "download.prompt_for_download": False,
    })
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
    return driver


class Session(browser_env.Session):
    def __init__(self, scenario):
        downloads = tempfile.mkdtemp(prefix="matinale-downloads-")
        super().__init__(scenario, browser(downloads))
        self.downloads = downloads
        self.requests = []  # (url, {header: value}) of every request the browser sent
        self.console = []

    def open(self, url):
        self.driver.get(url)
        self.wait(lambda d: d.execute_script("return document.readyState") == "complete", "the page")

    def collect(self):
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            params = message.get("params", {})
            if message["method"] == "Network.requestWillBeSent":
                request = params["request"]
                self.requests.append((request["url"], request.get("headers", {})))
            elif message["method"] == "Network.requestWillBeSentExtraInfo":
                self.requests.append(("", params.get("headers", {})))
        for entry in self.driver.get_log("browser"):
            self.console.append(entry.get("message", ""))

    def tab_to(self, id_, max_tabs=60):
        """Presses Tab until the element with `id_` has the focus (keyboard only)."""
        for _ in range(max_tabs):
            active = self.driver.switch_to.active_element
            if active.get_attribute("id") == id_:
                return active
            active.send_keys(Keys.TAB)
        raise Failed(f"#{id_} cannot be reached with the Tab key")

    def close(self):
        try:
            self.collect()
        finally:
            self.driver.quit()


def run(scenario):
    s = scenario
    session = Session(s)
    d = session.driver
    report = {}
    try:
        # 1. The event's public page: programme, venue and map link, buyers' needs, and a
        #    registration through its form.
        d.set_window_size(1100, 900)
        session.open(s["event_url"])
        session.text_in("main-title", s["event_title"])
        session.text_in("programme", s["programme_item"])
        session.text_in("stands", s["need_title"])
        stands_text = session.by_id("stands").text
        expect(stands_text.count(s["need_title"]) == 1, f"the need's title appears once: {stands_text}")
        #    A link to the registration form near the top, above the programme.
        link = session.by_id("register-link")
        expect(link.get_attribute("href").endswith("#register-title"), link.get_attribute("href"))
        expect(link.location["y"] < session.by_id("programme").location["y"], "the registration link is near the top")
        map_link = session.by_id("map-link").get_attribute("href")
        expect(map_link.startswith("https://www.openstreetmap.org/search?query="), map_link)
        session.labelled("event page")
        session.shot("event")
        form = session.by_id("register-form")
        Select(form.find_element(By.NAME, "category")).select_by_value("visitor")
        form.find_element(By.NAME, "first_name").send_keys("Lina")
        form.find_element(By.NAME, "last_name").send_keys("Moreau")
        form.find_element(By.NAME, "email").send_keys(s["visitor_email"])
        form.find_element(By.NAME, "accessibility_needs").send_keys("Boucle magnétique")
        #    A refusal of the API is told in the page's language, not in the API's English.
        form.find_element(By.NAME, "email").send_keys("@@")
        session.click(session.by_id("register"))
        refused = session.text_in("register-result", "Corrigez les champs signalés")
        expect("must" not in refused and "invalid" not in refused, f"an English API message on a French page: {refused}")
        email = form.find_element(By.NAME, "email")
        email.clear()
        email.send_keys(s["visitor_email"])
        session.click(session.by_id("register"))
        report["event_registration"] = session.text_in("registered", s["visitor_email"])
        session.shot("event-registered")
        d.set_window_size(412, 915)

        # 2. The waitlisted person's page (English, their locale), from their mail's link.
        session.open(s["waitlisted_link"])
        session.text_in("registration-status", "On the waiting list")
        expect("token=" not in d.current_url and "verify=" not in d.current_url, d.current_url)
        report["waitlisted"] = session.text_in("waitlist-position", "number 1")
        expect(d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en", "the page is in English")
        session.labelled("waitlisted page")
        session.shot("registration-waitlisted-en")

        # 3. The confirmed person's page (French), from their confirmation mail.
        session.open(s["confirmed_link"])
        session.text_in("registration-status", "Inscription confirmée")
        #    The link's secrets were read, then left the address bar; the mailbox is proven.
        session.text_in("flash", "Votre adresse e-mail est confirmée")
        expect("#token" not in d.current_url and "verify=" not in d.current_url, d.current_url)
        session.text_in("person-name", s["confirmed_name"])
        session.text_in("meetings", s["partner_name"])
        session.text_in("wishes-made", "priorité 3")
        expect(d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr", "the page is in French")
        session.labelled("participant page")

        #    Express interest in the buyer's need: it becomes a wish made.
        button = session.wait(EC.element_to_be_clickable((By.CSS_SELECTOR, f"button[data-need='{s['need_id']}']")), "the interest button")
        session.click(button)
        message = session.by_id("interest-message")
        expect(d.switch_to.active_element == message, "the message box has the focus")
        message.send_keys("Nous reconditionnons du mobilier de bureau à Vitry.")
        session.click(message.find_element(By.XPATH, "./ancestor::form").find_element(By.CSS_SELECTOR, "button[type=submit]"))
        session.text_in("flash", "Votre intérêt est enregistré")
        session.text_in("wishes-made", s["need_title"])

        #    Accessibility needs, saved with If-Match.
        area = session.by_id("accessibility")
        area.clear()
        area.send_keys("Accès en fauteuil roulant")
        session.click(session.by_id("save-accessibility"))
        session.text_in("flash", "Modifications enregistrées")
        expect(session.by_id("accessibility").get_attribute("value") == "Accès en fauteuil roulant", "the needs are saved")

        #    The agenda as .ics (a Blob fetched with the Authorization header).
        session.click(session.by_id("download-ics"))
        ics_path = os.path.join(session.downloads, "agenda.ics")
        session.wait(lambda _: os.path.exists(ics_path) and os.path.getsize(ics_path) > 0, "agenda.ics", 15)
        with open(ics_path, encoding="utf-8") as f:
            ics = f.read()
        expect(ics.startswith("BEGIN:VCALENDAR"), ics[:200])
        expect(ics.count("BEGIN:VEVENT") >= 2, "the event and the meeting are in the .ics")
        report["ics_bytes"] = len(ics)

        #    Subscribe: a webcal:// link appears.
        session.click(session.by_id("subscribe"))
        webcal = session.by_id("webcal-link").get_attribute("href")
        expect(webcal.startswith("webcal://"), webcal)
        report["webcal"] = webcal.split("/calendars/")[0]
        session.shot("registration")

        #    Cancel, with the keyboard only: Enter on the button, a confirmation step, Tab, Enter.
        cancel = session.by_id("cancel-registration")
        cancel.send_keys(Keys.ENTER)
        session.by_id("cancel-confirm")
        expect(d.switch_to.active_element.get_attribute("id") == "cancel-confirm", "the confirmation has the focus")
        session.shot("registration-cancel-confirm")
        session.tab_to("cancel-yes").send_keys(Keys.ENTER)
        session.text_in("registration-status", "Inscription annulée")
        session.text_in("flash", "Votre inscription est annulée")

        # 4. The waitlisted person got the seat.
        session.open(s["waitlisted_link"])
        report["promoted"] = session.text_in("registration-status", "Registration confirmed")
        summary = d.find_element(By.CSS_SELECTOR, "#history summary")
        display = d.execute_script("return getComputedStyle(arguments[0]).display", summary)
        expect(display == "list-item", f"the history's summary shows its disclosure arrow (display: {display})")
        session.click(summary)
        session.text_in("history", "a seat was freed")
        #    Awa's registration names no structure: no "I am interested" the API would refuse,
        #    but what to do instead.
        session.text_in("interest-how", "must name your social economy structure")
        expect(not d.find_elements(By.CSS_SELECTOR, "button[data-need]"), "no interest button without a structure")
        #    The language toggle.
        session.click(session.by_id("lang-toggle"))
        session.text_in("registration-status", "Inscription confirmée")
        expect(d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr", "toggled to French")
        session.text_in("interest-how", "doit nommer votre structure")
        session.shot("registration-promoted")
        session.click(session.by_id("lang-toggle"))  # back to the registration's own language
        d.execute_script("window.localStorage.clear()")

        # 5. The buyer picks an ESS structure from the participants and asks to meet it; the
        #    wishes of the cancelled structure stay, without a name.
        session.open(s["buyer_link"])
        session.text_in("registration-status", "Inscription confirmée")
        session.text_in("wishes-received", "Un·e participant·e souhaite vous rencontrer")
        search = session.by_id("pick-q")
        search.send_keys(s["pick_query"])
        search.send_keys(Keys.ENTER)
        session.text_in("pick-count", "1 sur 1")
        item = session.wait(EC.visibility_of_element_located(
            (By.CSS_SELECTOR, f"#participants li[data-participant='{s['pick_id']}']")), "the structure in the list")
        expect(s["pick_name"] in item.text, item.text)
        Select(item.find_element(By.NAME, "priority")).select_by_value("3")
        session.click(item.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        session.text_in("flash", "Votre demande est enregistrée")
        session.text_in("wishes-made", f"Rendez-vous avec {s['pick_name']} (priorité 3)")
        session.text_in("participants", "Demande envoyée")
        #    On the day: open to meet anyone, and arriving for the second slot.
        open_to_any = session.by_id("meetings-open-to-any")
        expect(not open_to_any.is_selected(), "not open to anyone by default")
        session.click(open_to_any)
        session.click(session.by_id("save-participation"))
        session.text_in("flash", "Votre participation est enregistrée")
        expect(session.by_id("meetings-open-to-any").is_selected(), "open to anyone, saved")
        arrival = Select(session.by_id("presence-from"))
        expect(len(arrival.options) > 2, "the slots to arrive for")
        second = arrival.options[2]
        report["arrival_slot"] = second.get_attribute("value")
        report["arrival_time"] = second.text
        arrival.select_by_value(report["arrival_slot"])
        session.click(session.by_id("save-presence"))
        session.text_in("flash", "Vos horaires sont enregistrés")
        expect(Select(session.by_id("presence-from")).first_selected_option.get_attribute("value") == report["arrival_slot"],
               "the arrival is shown as saved")
        session.labelled("buyer page")
        session.shot("registration-buyer-wish")

        # 6. The structure sees the request with the buyer's organisation, and says how many
        #    meetings it wants, with the keyboard.
        session.open(s["waitlisted_link"])
        session.text_in("wishes-received", s["buyer_organisation"] + " (" + s["buyer_name"] + ") would like to meet you")
        maximum = session.by_id("meetings-max")
        maximum.send_keys("2")
        maximum.send_keys(Keys.ENTER)
        session.text_in("flash", "Your participation is saved")
        expect(session.by_id("meetings-max").get_attribute("value") == "2", "the maximum is saved")
        session.labelled("structure page")
        session.shot("registration-wish-received-en")

        # 7. A bad token: a clear message and the form that mails a new link.
        session.open(s["bad_link"])
        session.text_in("main-title", "Ce lien n'est plus valable")
        session.labelled("bad link page")
        form = d.find_element(By.TAG_NAME, "form")
        Select(form.find_element(By.NAME, "category")).select_by_value(s["resend"]["category"])
        form.find_element(By.NAME, "first_name").send_keys(s["resend"]["first_name"])
        form.find_element(By.NAME, "last_name").send_keys(s["resend"]["last_name"])
        form.find_element(By.NAME, "email").send_keys(s["resend"]["email"])
        session.click(form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        report["resent"] = session.text_in("new-link-sent", s["resend"]["email"])
        session.shot("registration-bad-link")

        # 8. No link at all (no fragment, no event): the form asks which event too.
        session.open(s["bare_link"])
        session.text_in("main-title", "Recevoir mon lien personnel")
        session.wait(lambda d: len(Select(d.find_element(By.NAME, "event")).options) > 1, "the events to choose from")
    finally:
        session.close()

    # The tokens never left the browser other than in an Authorization header.
    secrets = [t for t in s["tokens"] if t]
    authorised = 0
    for url, headers in session.requests:
        for secret in secrets:
            expect(secret not in url, f"a token is in the URL {url}")
        for name, value in headers.items():
            if name.lower() == "authorization":
                if any(value == f"Bearer {secret}" for secret in secrets):
                    authorised += 1
                continue
            for secret in secrets:
                expect(secret not in str(value), f"a token is in the {name} header of {url}")
    expect(authorised > 0, "no request carried a manage token in its Authorization header")
    report["requests"] = len([r for r in session.requests if r[0]])
    report["authorised_requests"] = authorised
    report["api_urls"] = sorted({u.split("?")[0] for u, _ in session.requests if "/api/v1/" in u})
    report["screenshots"] = session.screens
    report["console"] = [c for c in session.console if "favicon" not in c]
    return report


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        scenario = json.load(f)
    try:
        report = run(scenario)
    except Failed as failure:
        print(f"page test failed: {failure}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
