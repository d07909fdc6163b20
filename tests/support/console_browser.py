#!/usr/bin/env python3
"""Drives the console (/console/) in headless Chromium (Selenium + Debian's chromedriver), for
tests/api/console.rs: an organiser runs a matinale, a buyer member publishes a need.

    console_browser.py --check          exit 0 when Selenium, chromium and chromedriver are here
    console_browser.py SCENARIO.json    run the scenario the Rust test wrote; print a JSON report
    console_browser.py --bench ADDRESS EMAIL PASSWORD   time the screens (BENCHMARKS.md)

Exit codes: 0 passed, 1 an expectation failed (the message says which), 2 a tool is missing.
axe-core (tests/support/vendor/) runs on every screen: a serious or critical violation fails.
"""
import datetime
import os
import json
import sys
import tempfile
import time
import urllib.request

import browser_env
from browser_env import By, EC, Failed, Keys, Select, WebDriverWait, chrome, expect


def browser():
    return chrome("1280,900")


class Session(browser_env.Session):
    failure_shot = "console-failure"
    max_shot_height = 4000

    def __init__(self, scenario):
        super().__init__(scenario, browser())
        self.urls = []
        self.axe = {}
        self.tokens = set()
        with open(scenario["axe"], encoding="utf-8") as f:
            self.axe_source = f.read()

    # -- waiting and acting -------------------------------------------------------------------
    def flash(self, text):
        return self.text_in("flash", text)

    def type(self, id_, text):
        el = self.by_id(id_)
        el.clear()
        el.send_keys(text)
        return el

    def set_value(self, id_, value):
        """For date and time controls, whose typing depends on the locale."""
        el = self.by_id(id_)
        self.driver.execute_script(
            "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
            el, value)
        expect(el.get_attribute("value") == value, f"#{id_} takes {value}")

    def choose(self, id_, value):
        Select(self.by_id(id_)).select_by_value(value)

    def go(self, hash_, ready_id):
        self.driver.execute_script("location.hash = arguments[0]", hash_)
        return self.by_id(ready_id)

    def accept_confirm(self):
        self.wait(EC.alert_is_present(), "the confirmation")
        self.driver.switch_to.alert.accept()

    # -- checks -------------------------------------------------------------------------------
    def check_axe(self, where):
        """axe-core on the whole document: no serious or critical violation."""
        self.driver.execute_script(self.axe_source + "\n;return true;")
        result = self.driver.execute_async_script("""
            var done = arguments[arguments.length - 1];
            axe.run(document, {resultTypes: ['violations']}).then(function (r) {
              done(r.violations.map(function (v) {
                return {id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(function (n) { return n.html; })};
              }));
            }, function (e) { done([{id: 'axe-error', impact: 'critical', nodes: [String(e)]}]); });
        """)
        bad = [v for v in result if v["impact"] in ("serious", "critical")]
        self.axe[where] = {"violations": len(result), "serious_or_critical": len(bad),
                           "minor": sorted({v["id"] for v in result} - {v["id"] for v in bad})}
        expect(not bad, f"axe on {where}: {json.dumps(bad, ensure_ascii=False)}")

    def screen(self, name):
        where = name.replace("console-", "")
        self.labelled(where, "main h1")
        self.check_axe(where)
        self.shot(name)

    def viewport(self, width, height):
        """A device's screen (a window cannot be narrower than 500 px in headless Chromium)."""
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})

    def remember_token(self):
        token = self.driver.execute_script("return sessionStorage.getItem('matinale.console.token')")
        expect(token, "the token is kept in sessionStorage")
        expect(not self.driver.execute_script("return window.localStorage.length"), "nothing in localStorage")
        self.tokens.add(token)
        return token

    def collect(self):
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                self.urls.append(message["params"]["request"]["url"])

    def sign_in(self, email, password, expired=False):
        """With the keyboard only: the form has the focus; type, Tab, type, Enter."""
        self.by_id("signin-form")
        if expired:
            self.text_in("signin-layer", "session a expiré")
        active = self.driver.switch_to.active_element
        expect(active.get_attribute("id") == "signin-email", "the e-mail field has the focus")
        active.send_keys(email)
        active.send_keys(Keys.TAB)
        self.driver.switch_to.active_element.send_keys(password + Keys.ENTER)
        self.wait(EC.invisibility_of_element_located((By.ID, "signin-layer")), "the sign-in layer to close")
        return self.remember_token()


def api(s, method, path, token=None, body=None):
    request = urllib.request.Request(f"{s['address']}/api/v1{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode())
    request.add_header("Accept", "application/json")
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request) as response:
            text = response.read()
            return json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        raise Failed(f"{method} {path}: {error.code} {error.read()[:500]}")


def run(s):
    session = Session(s)
    d = session.driver
    report = {}
    day = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    at = lambda hm: f"{day}T{hm}"
    try:
        # 1. Sign in (keyboard only), the events list.
        d.get(f"{s['address']}/console/")
        session.by_id("signin-form")
        expect(d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr", "the console is in French")
        session.check_axe("signin")
        session.shot("console-signin")
        admin = session.sign_in(s["admin"]["email"], s["admin"]["password"])
        session.text_in("main", "Mes événements")
        session.screen("console-events-empty")

        # 2. Create a matinale, times typed in Paris time; its programme; publish it.
        session.click(session.by_id("new-event"))
        session.type("event-title", "Matinale des achats responsables — Vitry")
        session.type("event-description", "Quiz, point juridique, stands inversés et speed meetings.")
        session.choose("event-series", s["series"])
        session.set_value("event-starts", at("09:00"))
        session.set_value("event-ends", at("12:30"))
        session.type("venue-name", "Hôtel de ville")
        session.type("venue-address", "2 avenue Youri-Gagarine")
        session.type("venue-postcode", "94400")
        session.type("venue-city", "Vitry-sur-Seine")
        session.type("event-capacity", "40")
        session.type("quota-buyer", "10")
        session.type("quota-ess_structure", "10")
        session.set_value("event-opens", "2020-01-01T00:00")
        session.set_value("event-closes", at("08:00"))
        session.screen("console-event-new")
        session.click(session.by_id("event-save"))
        session.wait(lambda d: "/events/0" in d.current_url or d.execute_script("return /#\\/events\\/[0-9a-f-]{36}$/.test(location.hash)"), "the new event's screen")
        event_id = d.execute_script("return location.hash.split('/')[2]")
        report["event_id"] = event_id
        session.text_in("event-heading", "Vitry")
        for start, end, title, kind in (("09:00", "09:30", "Accueil café", "break"),
                                        ("10:30", "11:00", "Speed meetings", "speed_meetings")):
            session.set_value("item-starts", at(start))
            session.set_value("item-ends", at(end))
            session.type("item-title", title)
            session.choose("item-kind", kind)
            session.click(session.by_id("item-add"))
            session.text_in("programme", title)
        session.click(session.by_id("publish-event"))
        session.flash("Événement publié")
        session.screen("console-event")

        # 3. Registrations arrive through the API.
        path = f"/events/{event_id}/registrations"
        def register(category, first, last, email, org=None, needs=None):
            body = {"category": category, "person": {"first_name": first, "last_name": last, "email": email},
                    "organisation_id": org, "consents": {"share_contact": True}}
            if needs:
                body["accessibility_needs"] = needs
            return api(s, "POST", path, None, body)
        claire = register("buyer", "Claire", "Dubois", "claire.dubois@vitry.example", s["buyer_org"])
        karim = register("ess_structure", "Karim", "Benali", "karim@adopte-un-bureau.example", s["ess_org"])
        awa = register("ess_structure", "Awa", "Diallo", "awa@rejoue.example")
        lina = register("visitor", "Lina", "Moreau", "lina.moreau@example.org", needs="Boucle magnétique")
        report.update(claire=claire["id"], karim=karim["id"])
        api(s, "POST", f"/events/{event_id}/wishes", karim["manage_token"],
            {"from_registration_id": karim["id"], "to_registration_id": claire["id"], "priority": 3})

        # 4. The registrations: they appear; search; approve the claims (one with the keyboard).
        session.go(f"#/events/{event_id}/registrations", "registrations-q")
        session.text_in("registrations", "Lina Moreau")
        session.text_in("registrations", "Boucle magnétique")
        session.text_in("registrations", "à approuver")
        session.type("registrations-q", "benali")
        session.click(session.by_id("registrations-search"))
        session.wait(lambda d: "Claire" not in d.find_element(By.ID, "registrations").text, "the search to keep Karim only")
        session.text_in("registrations", "Karim Benali")
        button = session.css(f"button[data-approve='{karim['id']}']")
        d.execute_script("arguments[0].focus()", button)
        d.switch_to.active_element.send_keys(Keys.ENTER)
        session.flash("Rattachement de Karim Benali approuvé")
        session.by_id("registrations-q").clear()
        session.click(session.by_id("registrations-search"))
        session.click(session.css(f"button[data-approve='{claire['id']}']"))
        session.flash("Rattachement de Claire Dubois approuvé")
        session.screen("console-registrations")

        # 5. Speed meetings: a block with named tables, run and publish the schedule.
        session.go(f"#/events/{event_id}/meetings", "block-form")
        session.set_value("block-starts", at("10:30"))
        session.set_value("block-ends", at("11:00"))
        session.type("block-slot", "10")
        session.type("block-tables", "3")
        session.type("block-labels", "Bleue, Verte, Rouge")
        session.click(session.by_id("block-add"))
        session.flash("Bloc ajouté : 3 rendez-vous par table")
        session.text_in("blocks", "Bleue, Verte, Rouge")
        session.text_in("participants", "Karim Benali")
        session.text_in("participants", "pas encore arrivé·e")
        #    Filling idle tables with people open to anyone changes no wish figure (none here).
        session.click(session.by_id("fill-idle"))
        expect(session.by_id("fill-idle").is_selected(), "fill idle tables ticked")
        session.click(session.by_id("run-schedule"))
        session.text_in("draft-ratio", "rendez-vous")
        expect(session.by_id("fill-idle").is_selected(), "the option stays chosen")
        session.text_in("draft-wishes", "3")
        session.click(session.by_id("publish-schedule"))
        session.flash("Planning publié")
        session.screen("console-meetings")

        # 6. The timetable: move the meeting to another free place; add one by hand.
        session.go(f"#/events/{event_id}/timetable", "timetable")
        meeting = session.css("#timetable button.meeting")
        expect("Claire Dubois" in meeting.text and "Karim Benali" in meeting.text, meeting.text)
        meeting_id = meeting.get_attribute("data-meeting")
        before = api(s, "GET", f"/meetings/{meeting_id}", admin)
        session.click(meeting)
        target = Select(session.by_id("move-to")).options[-1]
        slot_id, table = target.get_attribute("value").split("|")
        session.choose("move-to", target.get_attribute("value"))
        session.click(session.by_id("move-submit"))
        session.flash("Rendez-vous déplacé")
        report.update(moved_meeting=meeting_id,
                      moved_from={"slot_id": before["slot_id"], "table": before["table"]},
                      moved_to={"slot_id": slot_id, "table": int(table)})
        session.choose("add-buyer", claire["id"])
        session.choose("add-supplier", awa["id"])
        session.click(session.by_id("add-submit"))
        session.flash("Rendez-vous ajouté")
        session.text_in("timetable", "Awa Diallo")
        session.screen("console-timetable")

        # 7. The check-in desk, on a tablet: the QR text typed, then a name.
        session.viewport(820, 1180)
        session.go(f"#/events/{event_id}/check-in", "qr-text")
        qr = api(s, "GET", f"/registrations/{karim['id']}", admin)["check_in_qr"]
        session.type("qr-text", qr)
        session.by_id("qr-text").send_keys(Keys.ENTER)
        session.flash("Karim Benali est arrivé·e")
        session.text_in("checkin-count", "1 arrivé·es")
        session.type("checkin-q", "moreau")
        session.click(session.by_id("checkin-find"))
        session.click(session.css(f"button[data-checkin='{lina['id']}']"))
        session.flash("Lina Moreau est arrivé·e")
        session.screen("console-checkin")

        # 8. The room screen for the projector: the next slot, table by table.
        session.viewport(1280, 720)
        session.go(f"#/events/{event_id}/room", "room")
        session.text_in("room", "Claire Dubois")
        session.text_in("room", "Awa Diallo")
        session.text_in("room", "Bleue")
        session.screen("console-room")
        session.viewport(1280, 900)

        # 9. Attendance of the moved meeting; the report with its chart.
        session.go(f"#/events/{event_id}/attendance", "attendance")
        form = session.css(f"form[data-attendance='{meeting_id}']")
        Select(form.find_element(By.NAME, "status")).select_by_value("held")
        session.click(form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        session.flash("Présence enregistrée")
        session.text_in("attendance", "tenu")
        session.screen("console-attendance")
        session.go(f"#/events/{event_id}/report", "report-chart")
        session.css("#report-chart svg")
        session.text_in("report-figures", "1 tenus")
        session.screen("console-report")
        session.go(f"#/series/{s['series']}/report", "report-chart")
        session.css("#report-chart svg")
        session.text_in("main", "Mois de l'ESS 2026")
        session.text_in("report-figures", "1 tenus")
        session.screen("console-series-report")

        # 9b. On the day: Sami arrives late on the list (a wish to meet Claire); the organiser
        #     marks Claire and Sami present and Awa absent, then re-plans from the next slot:
        #     Awa's meeting is cancelled, Claire meets Sami instead.
        sami = register("ess_structure", "Sami", "Haddad", "sami@med-arcades.example")
        api(s, "POST", f"/events/{event_id}/wishes", sami["manage_token"],
            {"from_registration_id": sami["id"], "to_registration_id": claire["id"], "priority": 2})
        session.go(f"#/events/{event_id}/meetings", "replan")
        session.text_in("participants", "Sami Haddad")
        for who, name in ((claire, "Claire Dubois"), (sami, "Sami Haddad")):
            session.click(session.css(f"button[data-present='{who['id']}']"))
            session.flash(f"{name} : marqué·e présent·e")
        session.click(session.css(f"button[data-absent='{awa['id']}']"))
        session.flash("Awa Diallo : marqué·e absent·e")
        row = session.css(f"#participants tr[data-registration='{awa['id']}']")
        expect("absent·e (marqué·e)" in row.text, row.text)
        expect(api(s, "GET", f"/registrations/{awa['id']}/presence", admin)["marked_present"] is False, "Awa marked absent")
        session.click(session.by_id("replan"))
        session.accept_confirm()
        session.text_in("replan-figures", "1 annulés")
        session.text_in("replan-figures", "1 ajoutés")
        session.text_in("replan-cancelled", "Awa Diallo")
        session.text_in("replan-added", "Sami Haddad")
        session.flash("Re-planifié : 1 annulés, 1 ajoutés")
        report.update(sami=sami["id"], awa=awa["id"])
        session.screen("console-meetings-replan")

        # 10. Stands, failed mail, English.
        session.go(f"#/events/{event_id}/stands", "stand-form")
        session.choose("stand-organisation", s["buyer_org"])
        session.type("stand-title", "Achats de la Ville")
        session.type("stand-location", "Salle des fêtes, stand 2")
        session.click(session.by_id("stand-add"))
        session.flash("Stand ajouté")
        session.text_in("stands", "Achats de la Ville")
        #     The buyer's member proposes a need for the event's stand (through the API): the
        #     organiser accepts it here, and it shows on the stand.
        member = api(s, "POST", "/auth/token", None, s["member"])["token"]
        stand = next(x for x in api(s, "GET", f"/events/{event_id}/stands") if x["title"] == "Achats de la Ville")
        proposed = api(s, "POST", "/needs", member, {
            "organisation_id": s["buyer_org"], "event_id": event_id, "stand_id": stand["id"],
            "title": "Impressions durables", "category": "impressions_durables", "status": "open"})
        api(s, "POST", "/auth/logout", member)
        expect(not proposed["event_accepted"], f"a member's need is a proposal: {proposed}")
        session.go("#/outbox", "outbox-status")
        session.go(f"#/events/{event_id}/stands", "stand-form")
        session.text_in("proposed-needs", "Impressions durables")
        expect("Impressions durables" not in session.by_id("stands").text, "not on the stand before it is accepted")
        session.screen("console-stands")
        session.click(session.css(f"button[data-accept='{proposed['id']}']"))
        session.flash("Besoin « Impressions durables » accepté")
        session.text_in("stands", "Impressions durables")
        session.text_in("event-needs", "Impressions durables")
        session.text_in("proposed-title", "Besoins proposés")
        report["accepted_need"] = proposed["id"]
        session.screen("console-stands-accepted")
        session.go("#/outbox", "outbox-status")
        session.screen("console-outbox")

        # 10b. Invitations (issue 25): a list checked first (dry run), then sent; the list, its
        # counts. Then the directory import: checked, then imported.
        folder = tempfile.mkdtemp(prefix="matinale-console-")
        invitations = os.path.join(folder, "invitations.csv")
        with open(invitations, "w", encoding="utf-8") as f:
            f.write("email;first_name;last_name;category\ninvitee@ville.example;Inès;Invitée;buyer\nnot-an-address;X;Y;\n")
        session.go(f"#/events/{event_id}/invitations", "invitations-upload")
        session.by_id("invitations-file").send_keys(invitations)
        session.click(session.by_id("invitations-dry-run"))
        session.text_in("invitations-report", "1 invitation(s) à envoyer")
        session.text_in("invitations-skipped", "invalid e-mail")
        session.screen("console-invitations-dry-run")
        session.click(session.by_id("invitations-send"))
        session.text_in("invitations-report", "1 invitation(s) mises en file")
        session.text_in("invitations", "invitee@ville.example")
        session.text_in("invitations-counts", "Acheteur")
        session.screen("console-invitations")
        report["invited"] = "invitee@ville.example"
        directory = os.path.join(folder, "organisations.csv")
        with open(directory, "w", encoding="utf-8") as f:
            f.write("name;siret\nRessourcerie du Val;\n")
        session.go("#/import", "import-upload")
        session.by_id("import-file").send_keys(directory)
        session.click(session.by_id("import-dry-run"))
        session.text_in("import-report", "1 à créer")
        session.screen("console-import-dry-run")
        session.click(session.by_id("import-run"))
        session.text_in("import-report", "1 créée(s)")
        session.screen("console-import")
        report["imported"] = "Ressourcerie du Val"
        session.go("#/events", "events-table")
        session.text_in("events-table", "1 / 0 / 0")
        session.click(session.by_id("lang-toggle"))
        session.text_in("main", "My events")
        expect(d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en", "English on request")
        session.screen("console-events-en")
        session.click(session.by_id("lang-toggle"))
        session.text_in("main", "Mes événements")
        session.screen("console-events")

        # 11. Sign out; the buyer's member signs in on a phone, creates a need, attaches it.
        session.click(session.by_id("sign-out"))
        session.by_id("signin-form")
        try:
            api(s, "GET", "/me", admin)
            raise Failed("the admin's token still works after signing out")
        except Failed as failure:
            expect("401" in str(failure), str(failure))
        session.viewport(412, 915)
        member = session.sign_in(s["member"]["email"], s["member"]["password"])
        session.text_in("main", "Ville de Vitry-sur-Seine")
        session.screen("console-organisation-empty")
        session.click(session.by_id("new-need"))
        session.type("need-title", "Mobilier de bureau en réemploi")
        session.type("need-description", "Bureaux, chaises et armoires pour trois services.")
        session.choose("need-category", "mobilier_reemploi")
        session.type("need-min", "20000")
        session.type("need-max", "60000")
        session.choose("need-reserved", "l2113_13")
        session.type("need-cities", "Vitry-sur-Seine")
        session.screen("console-need-new")
        session.click(session.by_id("need-save"))
        session.wait(lambda d: d.execute_script("return location.hash.startsWith('#/needs/')"), "the need's screen")
        need_id = d.execute_script("return location.hash.split('/')[2]")
        report["need_id"] = need_id
        session.flash("Besoin créé")
        session.choose("need-event", event_id)
        session.click(session.by_id("need-save"))
        session.flash("Besoin enregistré")
        session.click(session.by_id("need-publish"))
        session.text_in("need-status", "publié")
        #    The token expires (revoked behind the console's back): the sign-in form comes back
        #    over the screen, and the change typed is saved after signing in again.
        api(s, "POST", "/auth/logout", member)
        session.type("need-cities", "Vitry-sur-Seine, Ivry-sur-Seine")
        session.click(session.by_id("need-save"))
        member = session.sign_in(s["member"]["email"], s["member"]["password"], expired=True)
        session.flash("Besoin enregistré")
        expect(api(s, "GET", f"/needs/{need_id}", member)["cities"] == ["Vitry-sur-Seine", "Ivry-sur-Seine"], "saved after signing in again")
        session.screen("console-need")

        # 12. An ESS structure expresses interest: the buyer sees it arrive.
        api(s, "POST", f"/needs/{need_id}/interests", karim["manage_token"],
            {"registration_id": karim["id"], "message": "Nous reconditionnons du mobilier de bureau à Vitry."})
        session.go(f"#/organisations/{s['buyer_org']}", "interests")
        session.text_in("interests", "Adopte un Bureau")
        #    The need the member attached to the event awaits the organisers' acceptance.
        session.text_in("main", "proposé, en attente des organisateurs")
        session.text_in("interests", "Nous reconditionnons")
        #    Karim consented and his claim is approved: his contact is shown.
        session.text_in("interests", "Karim Benali")
        session.text_in("interests", "karim@adopte-un-bureau.example")
        #    Members: add a colleague by e-mail, then remove them.
        colleague = s["colleague"]
        session.type("member-email", colleague["email"])
        session.click(session.by_id("member-add"))
        session.flash("Membre ajouté")
        session.text_in("members", colleague["name"])
        session.screen("console-organisation")
        session.click(session.css(f"button[aria-label='Retirer {colleague['name']}']"))
        session.flash("Membre retiré")
        session.wait(lambda d: colleague["name"] not in d.find_element(By.ID, "members").text, "the colleague removed")
        report["colleague_removed"] = colleague["email"]
    finally:
        session.collect()
        console = [e.get("message", "") for e in d.get_log("browser")]
        d.quit()
    leaked = [u for u in session.urls for t in session.tokens if t in u]
    report["tokens_in_urls"] = len(leaked)
    expect(not leaked, f"a token is in a URL: {leaked[:3]}")
    report["axe"] = session.axe
    report["screenshots"] = session.screens
    report["requests"] = len(session.urls)
    report["console_errors"] = [c for c in console if "SEVERE" in c or "error" in c.lower()]
    return report


def bench(address, email, password):
    """Creates a published matinale with 1,000 registrations through the API, then times the
    registrations screen and the timetable, from the change of the URL's fragment to the
    frame after the table is drawn (data fetched included), three times each; and the
    timetable's grid() alone with a synthetic regional day (24 slots × 400 tables, 9,600
    meetings in memory, 25 tables drawn at a time)."""
    s = {"address": address}
    token = api(s, "POST", "/auth/token", None, {"email": email, "password": password})["token"]
    day = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    event = api(s, "POST", "/events", token, {
        "kind": "matinale", "title": "Banc d'essai", "status": "published", "capacity": 2000,
        "starts_at": f"{day}T09:00:00+01:00", "ends_at": f"{day}T12:30:00+01:00",
        "venue": {"name": "Salle", "postcode": "94400", "city": "Vitry-sur-Seine"},
        "registration_opens_at": "2020-01-01T00:00:00Z", "registration_closes_at": f"{day}T08:00:00+01:00"})
    event_id = event["id"]
    categories = ["buyer", "ess_structure", "partner", "visitor"]
    started = time.time()
    for i in range(1000):
        api(s, "POST", f"/events/{event_id}/registrations", None, {
            "category": categories[i % 4],
            "person": {"first_name": f"Prénom{i}", "last_name": f"Nom{i}", "email": f"p{i}@bench.example"},
            "accessibility_needs": "Accès en fauteuil" if i % 10 == 0 else None})
    setup_s = round(time.time() - started, 1)
    api(s, "POST", f"/events/{event_id}/meeting-blocks", token, {
        "starts_at": f"{day}T10:00:00+01:00", "ends_at": f"{day}T12:00:00+01:00",
        "slot_minutes": 10, "break_minutes": 0, "tables": 40})
    d = browser()
    out = {"registrations_posted_in_s": setup_s}
    try:
        d.get(f"{address}/console/")
        WebDriverWait(d, 30).until(EC.visibility_of_element_located((By.ID, "signin-email"))).send_keys(email)
        d.find_element(By.ID, "signin-password").send_keys(password + Keys.ENTER)
        WebDriverWait(d, 30).until(EC.visibility_of_element_located((By.ID, "events-list")))
        for screen, ready in (("registrations", "#registrations tbody tr"), ("timetable", "#timetable table")):
            times = []
            for _ in range(3):
                d.execute_script("location.hash = '#/events'")
                WebDriverWait(d, 30).until(EC.visibility_of_element_located((By.ID, "events-list")))
                ms = d.execute_async_script("""
                    var done = arguments[arguments.length - 1], hash = arguments[0], ready = arguments[1];
                    var t0 = performance.now();
                    location.hash = hash;
                    (function poll() {
                      if (document.querySelector(ready)) requestAnimationFrame(function () { done(performance.now() - t0); });
                      else setTimeout(poll, 5);
                    })();
                """, f"#/events/{event_id}/{screen}", ready)
                times.append(round(ms))
            out[screen] = times
        # 200 a page (the API's most): choose it in the form, time until 200 rows are drawn.
        d.execute_script("location.hash = arguments[0]", f"#/events/{event_id}/registrations")
        WebDriverWait(d, 30).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#registrations tbody tr")))
        Select(d.find_element(By.ID, "registrations-per-page")).select_by_value("200")
        out["registrations_200"] = d.execute_async_script("""
            var done = arguments[arguments.length - 1], t0 = performance.now();
            document.getElementById('registrations-search').click();
            (function poll() {
              if (document.querySelectorAll('#registrations tbody tr').length === 200) requestAnimationFrame(function () { done(Math.round(performance.now() - t0)); });
              else setTimeout(poll, 5);
            })();
        """)
        # The regional day: 24 slots × 400 tables, 9,600 meetings, drawn by the screen's grid()
        # (25 tables at a time, the first ones); then the last 25 tables chosen in its select.
        out["regional_grid"] = d.execute_async_script("""
            var done = arguments[arguments.length - 1];
            import('/console/timetable.js').then(function (m) {
              var slots = [], meetings = [], runs = [], switches = [];
              for (var s = 0; s < 24; s++) slots.push({id: 's' + s, starts_at: '2026-12-07T09:00:00+01:00', ends_at: '2026-12-07T09:10:00+01:00'});
              var block = {id: 'regional', starts_at: slots[0].starts_at, slots: slots, tables: 400, table_labels: null};
              for (var s = 0; s < 24; s++) for (var t = 1; t <= 400; t++) meetings.push({id: s + '-' + t, slot_id: 's' + s, table: t, buyer_name: 'Acheteur ' + t, supplier_name: 'Structure ' + s});
              for (var i = 0; i < 3; i++) {
                var t0 = performance.now();
                var box = document.createElement('div');
                box.append.apply(box, m.grid([block], meetings, function () {}));
                document.getElementById('app').replaceChildren(box);
                document.body.offsetHeight;  // layout
                runs.push(Math.round(performance.now() - t0));
                var choose = document.querySelector('#grid-0-tables');
                var t1 = performance.now();
                choose.value = '376';
                choose.dispatchEvent(new Event('change'));
                document.body.offsetHeight;
                switches.push(Math.round(performance.now() - t1));
                choose.value = '1';
                choose.dispatchEvent(new Event('change'));
              }
              requestAnimationFrame(function () {
                done({meetings: meetings.length, runs: runs, last_tables_runs: switches,
                      cells_drawn: document.querySelectorAll('#app td').length});
              });
            });
        """)
    finally:
        d.quit()
    return out


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--bench":
        print(json.dumps(bench(*sys.argv[2:5])))
        return
    with open(sys.argv[1], encoding="utf-8") as f:
        scenario = json.load(f)
    try:
        report = run(scenario)
    except Failed as failure:
        print(f"console test failed: {failure}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
