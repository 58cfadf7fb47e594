"""The widget in real headless Chromium, against a real server with the real model."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from chatbot.channels.web.app import create_app
from chatbot.channels.web.routes.widget import STATIC
from chatbot.kb import knowledge
from chatbot.settings import Settings

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
UNREACHABLE = (
    "Couldn't reach the assistant. Please call the office. "
    "In an emergency, call 911; for thoughts of suicide, call or text 988."
)
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 640}
# The same property read on the demo page (hostile CSS) and on a bare page must match.
STYLE_PROPERTIES = [
    "font-family",
    "font-size",
    "font-weight",
    "letter-spacing",
    "line-height",
    "text-transform",
    "color",
    "background-color",
    "padding-top",
    "padding-left",
    "border-top-width",
    "border-top-style",
    "border-radius",
    "box-sizing",
    "width",
    "height",
]


@pytest.fixture(scope="module")
def server(real_settings: Settings) -> Iterator[str]:
    """A real uvicorn on a free port, in a thread; yields its base URL once /readyz says ready."""
    settings = real_settings.model_copy(update={"rate_limit": "off"})
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    uv = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning"))
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, name="uvicorn", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError("the server never became ready")
        time.sleep(0.1)
    yield base
    uv.should_exit = True
    thread.join(10)
    sock.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (Debian's chromium package)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        yield chromium
        chromium.close()


class Tab:
    """One page, with what it must never do (dialogs, script errors) recorded as it goes."""

    def __init__(self, page: Page, base: str):
        self.page = page
        self.base = base
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def goto(self, path: str = "/") -> Tab:
        self.page.goto(self.base + path)
        return self

    def serve(self, path: str, html: str) -> None:
        """Answer `path` on the server's own origin with this HTML, so the widget calls the API same-origin."""
        self.page.route(self.base + path, lambda route: route.fulfill(status=200, content_type="text/html", body=html))

    @property
    def launcher(self) -> Locator:
        return self.page.locator("clinic-faq-assistant .launcher")

    @property
    def panel(self) -> Locator:
        return self.page.locator("clinic-faq-assistant .panel")

    @property
    def field(self) -> Locator:
        return self.page.locator("clinic-faq-assistant input")

    @property
    def replies(self) -> Locator:
        return self.page.locator("clinic-faq-assistant [role=log] .from-bot:not(.typing)")

    def open(self) -> None:
        self.launcher.click()
        expect(self.replies.first).to_have_attribute("data-kind", "greeting")

    def ask(self, question: str) -> Locator:
        """Type the question, press Enter, and return the reply that comes back."""
        count = self.replies.count()
        self.field.fill(question)
        self.field.press("Enter")
        expect(self.replies).to_have_count(count + 1)
        return self.replies.nth(count)

    def focused(self) -> str:
        """The class of the element focused inside the widget, or '' when focus is elsewhere."""
        return self.page.evaluate(
            """() => {
                const host = document.activeElement;
                if (!host || host.localName !== 'clinic-faq-assistant') return '';
                const inner = host.shadowRoot.activeElement;
                return inner ? (inner.className || inner.localName) : '';
            }"""
        )

    def styles(self, selector: str) -> dict[str, str]:
        return self.page.locator(f"clinic-faq-assistant {selector}").first.evaluate(
            "(el, names) => Object.fromEntries(names.map(n => [n, getComputedStyle(el).getPropertyValue(n)]))",
            STYLE_PROPERTIES,
        )


@pytest.fixture
def tab(browser: Browser, server: str) -> Iterator[Tab]:
    context = browser.new_context(viewport=DESKTOP)
    tab = Tab(context.new_page(), server)
    yield tab
    context.close()
    assert tab.errors == [], "the page threw"


def greeting_json(base: str) -> dict[str, object]:
    with urllib.request.urlopen(f"{base}/v1/greeting") as response:
        return json.load(response)


def test_the_panel_opens_with_the_greeting_and_the_servers_notice(tab: Tab) -> None:
    served = greeting_json(tab.base)
    tab.goto()
    expect(tab.launcher).to_have_attribute("aria-expanded", "false")
    expect(tab.panel).to_be_hidden()
    tab.open()
    expect(tab.launcher).to_have_attribute("aria-expanded", "true")
    expect(tab.replies.first).to_contain_text(str(served["answer"]))
    notice = tab.page.locator("clinic-faq-assistant .notice")
    expect(notice).to_have_text(str(served["notice"]))
    expect(notice).to_contain_text("911")


def test_how_much_does_it_cost_gets_the_750_answer(tab: Tab) -> None:
    tab.goto().open()
    reply = tab.ask("how much does it cost")
    expect(reply).to_have_attribute("data-kind", "answer")
    expect(reply).to_contain_text("$750")
    expect(tab.page.locator("clinic-faq-assistant .from-user .text")).to_have_text("how much does it cost")
    expect(tab.page.locator("clinic-faq-assistant .typing")).to_have_count(0)


def test_an_emergency_shows_911_and_988_in_a_style_of_its_own(tab: Tab) -> None:
    tab.goto().open()
    answer = tab.ask("do you have wifi")
    emergency = tab.ask("I want to kill myself")
    expect(emergency).to_have_attribute("data-kind", "emergency")
    expect(emergency).to_contain_text("911")
    expect(emergency).to_contain_text("988")
    background = "el => getComputedStyle(el).backgroundColor"
    assert emergency.evaluate(background) != answer.evaluate(background)


def test_html_in_a_question_is_shown_as_text_and_runs_nothing(tab: Tab) -> None:
    fetched: list[str] = []
    tab.page.on("request", lambda request: fetched.append(request.url))
    attack = "<img src=x onerror=alert(1)>"
    tab.goto().open()
    tab.ask(attack)
    expect(tab.page.locator("clinic-faq-assistant .from-user .text")).to_have_text(attack)
    tab.page.wait_for_timeout(300)  # time for an onerror to fire, were there an image
    images = tab.page.evaluate(
        "() => document.querySelectorAll('img').length"
        " + document.querySelector('clinic-faq-assistant').shadowRoot.querySelectorAll('img').length"
    )
    assert images == 0
    assert tab.dialogs == []
    assert not [url for url in fetched if url.endswith("/x")], "the browser tried to load the <img>"


def test_everything_works_by_keyboard(tab: Tab) -> None:
    tab.goto()
    for _ in range(40):  # Tab through the page's own links and form to the launcher, the last thing on it
        tab.page.keyboard.press("Tab")
        if "launcher" in tab.focused():
            break
    assert "launcher" in tab.focused(), "Tab never reached the launcher"
    ring = tab.launcher.evaluate("el => getComputedStyle(el).boxShadow")
    assert "rgb(255, 221, 0)" in ring, f"the focused launcher shows no focus ring: {ring}"
    tab.page.keyboard.press("Enter")
    expect(tab.panel).to_be_visible()
    expect(tab.launcher).to_have_attribute("aria-expanded", "true")
    assert tab.focused() == "input", "opening did not put the cursor in the question field"
    expect(tab.replies.first).to_have_attribute("data-kind", "greeting")
    tab.page.keyboard.type("do you have wifi")
    tab.page.keyboard.press("Enter")
    expect(tab.replies).to_have_count(2)
    expect(tab.replies.last).to_contain_text("WiFi")
    tab.page.keyboard.press("Escape")
    expect(tab.panel).to_be_hidden()
    expect(tab.launcher).to_have_attribute("aria-expanded", "false")
    assert "launcher" in tab.focused(), "Esc did not return focus to the launcher"


def test_a_network_error_says_to_call_and_retry_resends(tab: Tab) -> None:
    ask_url = tab.base + "/v1/ask"
    tab.page.route(ask_url, lambda route: route.abort())
    tab.goto().open()
    tab.field.fill("how much does it cost")
    tab.field.press("Enter")
    error = tab.page.locator("clinic-faq-assistant .error")
    expect(error).to_contain_text(UNREACHABLE)
    expect(error).to_be_visible()
    expect(tab.page.locator("clinic-faq-assistant .typing")).to_have_count(0)
    tab.page.unroute(ask_url)
    error.get_by_role("button", name="Retry").click()
    expect(tab.replies.last).to_contain_text("$750")
    expect(error).to_have_count(0)
    expect(tab.page.locator("clinic-faq-assistant .from-user")).to_have_count(1)


def test_a_greeting_that_fails_is_retried_too(tab: Tab) -> None:
    greeting_url = tab.base + "/v1/greeting*"  # with the page's language in the query
    tab.page.route(greeting_url, lambda route: route.fulfill(status=503, body="starting"))
    tab.goto()
    tab.launcher.click()
    error = tab.page.locator("clinic-faq-assistant .error")
    expect(error).to_contain_text(UNREACHABLE)
    tab.page.unroute(greeting_url)
    error.get_by_role("button", name="Retry").click()
    expect(tab.replies.first).to_have_attribute("data-kind", "greeting")
    expect(tab.page.locator("clinic-faq-assistant .notice")).to_contain_text("911")


def test_a_spanish_page_that_cannot_reach_us_says_the_offices_spanish_words(tab: Tab, real_settings: Settings) -> None:
    spanish = knowledge.fill(knowledge.load(real_settings.knowledge_dir).messages, "555-0100").in_language("es")
    tab.serve("/es.html", SPANISH_PAGE)
    tab.page.route(tab.base + "/v1/greeting*", lambda route: route.fulfill(status=503, body="starting"))
    tab.goto("/es.html")
    tab.launcher.click()
    error = tab.page.locator("clinic-faq-assistant .error")
    expect(error).to_contain_text(spanish.unreachable)
    expect(error.get_by_role("button", name="Reintentar")).to_be_visible()


def test_the_widget_says_whatever_words_the_server_wrote_into_it(tab: Tab) -> None:
    with urllib.request.urlopen(f"{tab.base}/widget.js") as response:
        script = response.read().decode("utf-8")
    written = re.search(r"^  const OFFICE = (.*);$", script, re.M)
    assert written
    office = json.loads(written.group(1))
    office["en"]["unreachable"] = "The office is away today. In an emergency call 911; call or text 988."
    reworded = script.replace(written.group(1), json.dumps(office))
    tab.page.route(
        tab.base + "/widget.js",
        lambda route: route.fulfill(status=200, content_type="application/javascript", body=reworded),
    )
    tab.page.route(tab.base + "/v1/greeting*", lambda route: route.fulfill(status=503, body="starting"))
    tab.goto()
    tab.launcher.click()
    expect(tab.page.locator("clinic-faq-assistant .error")).to_contain_text("The office is away today.")


def test_a_copy_of_the_widget_without_the_offices_words_stays_hidden_and_says_why(tab: Tab) -> None:
    copy = (STATIC / "widget.js").read_text(encoding="utf-8")  # as a clinic might host it, not served by us
    tab.page.route(
        tab.base + "/widget.js",
        lambda route: route.fulfill(status=200, content_type="application/javascript", body=copy),
    )
    with tab.page.expect_console_message(lambda message: message.type == "error") as logged:
        tab.goto()
    assert "lacks the office's texts" in logged.value.text
    assert tab.page.evaluate("() => document.querySelectorAll('clinic-faq-assistant').length") == 0


def test_the_pages_css_does_not_change_the_widget(tab: Tab) -> None:
    tab.serve(
        "/bare.html", '<!doctype html><html lang="en"><title>bare</title><body><script src="/widget.js" defer></script>'
    )
    parts = [".launcher", "h2", "input", ".send", ".close", "[role=log]", ".from-bot"]
    looks = {}
    for path in ["/bare.html", "/"]:
        tab.goto(path).open()
        looks[path] = {part: tab.styles(part) for part in parts}
    # The demo page's rules really are hostile: its own button is restyled by them.
    page_button = tab.page.locator("main button")
    assert page_button.evaluate("el => getComputedStyle(el).textTransform") == "uppercase"
    for part in parts:
        assert looks["/"][part] == looks["/bare.html"][part], part


def test_the_widget_loaded_twice_mounts_once(tab: Tab) -> None:
    tab.serve(
        "/twice.html",
        '<!doctype html><html lang="en"><title>twice</title><body><main><h1>Twice</h1></main>'
        f'<script src="/widget.js" data-api="{tab.base}" defer></script>'
        '<script src="/widget.js" defer></script>',
    )
    tab.goto("/twice.html")
    expect(tab.launcher).to_have_count(1)
    assert tab.errors == [], "the second copy tried to define the element again"
    assert tab.page.evaluate("() => document.querySelectorAll('clinic-faq-assistant').length") == 1
    tab.open()
    expect(tab.replies).to_have_count(1)
    expect(tab.page.locator("clinic-faq-assistant .notice")).to_have_count(1)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_no_serious_accessibility_violation_with_the_panel_open(tab: Tab, viewport: dict[str, int]) -> None:
    from axe_playwright_python.sync_playwright import Axe

    tab.page.set_viewport_size(viewport)
    tab.goto().open()
    tab.ask("how much does it cost")
    tab.ask("I want to kill myself")
    tab.page.route(tab.base + "/v1/ask", lambda route: route.abort())
    tab.field.fill("do you have wifi")
    tab.field.press("Enter")
    expect(tab.page.locator("clinic-faq-assistant .error")).to_be_visible()  # its Retry button is scanned too
    tab.field.focus()
    results = Axe().run(tab.page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert bad == [], "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} {[n['target'] for n in v['nodes']]}" for v in bad
    )


def test_a_phone_screenshot_with_the_panel_full_width(tab: Tab) -> None:
    tab.page.set_viewport_size(PHONE)
    tab.goto().open()
    tab.ask("how much does it cost")
    box = tab.panel.bounding_box()
    assert box is not None and (box["x"], box["width"]) == (0, PHONE["width"])
    assert tab.page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"], (
        "the page scrolls sideways"
    )
    assert float(tab.styles("input")["font-size"].removesuffix("px")) >= 16, "phones zoom into smaller fields"
    ARTIFACTS.mkdir(exist_ok=True)
    tab.page.screenshot(path=str(ARTIFACTS / "widget-360x640.png"))


SPANISH_PAGE = (
    '<!doctype html><html lang="es"><title>Clínica</title>'
    '<body><main><h1>Clínica</h1></main><script src="/widget.js" defer></script>'
)


def test_a_spanish_page_gets_the_widget_and_the_greeting_in_spanish(tab: Tab, real_settings: Settings) -> None:
    from chatbot.kb import knowledge

    spanish = knowledge.fill(knowledge.load(real_settings.knowledge_dir).messages, "555-0100").in_language("es")
    tab.serve("/es.html", SPANISH_PAGE)
    tab.goto("/es.html")
    expect(tab.launcher).to_contain_text("¿Preguntas? Escríbanos")
    tab.open()
    expect(tab.field).to_have_attribute("placeholder", "Escriba su pregunta")
    expect(tab.replies.first).to_have_attribute("lang", "es")
    expect(tab.replies.first).to_contain_text(spanish.greeting)
    expect(tab.page.locator("clinic-faq-assistant .notice")).to_have_text(spanish.notice)


def test_a_spanish_emergency_by_keyboard_gets_the_spanish_message_marked_es(tab: Tab) -> None:
    tab.goto().open()
    reply = tab.ask("mi esposo no respira")
    expect(reply).to_have_attribute("data-kind", "emergency")
    expect(reply.locator(".text")).to_have_attribute("lang", "es")
    expect(reply).to_contain_text("988")
    expect(reply.locator(".label")).to_have_text("Emergencia")
    # The patient wrote Spanish: the widget's own words follow.
    expect(tab.field).to_have_attribute("placeholder", "Escriba su pregunta")


def test_a_clinic_answer_to_a_spanish_question_is_marked_english_under_a_spanish_preface(tab: Tab) -> None:
    tab.goto().open()
    reply = tab.ask("¿Cuánto cuesta cada infusión?")
    expect(reply).to_have_attribute("data-kind", "answer")
    expect(reply.locator(".preface")).to_have_attribute("lang", "es")
    expect(reply.locator(".text")).to_have_attribute("lang", "en")
    expect(reply).to_contain_text("$750")


NEAR_MISS = "can my mom come with me"


def asked(base: str, body: dict[str, object]) -> dict[str, object]:
    request = urllib.request.Request(f"{base}/v1/ask", json.dumps(body).encode(), {"content-type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def open_by_keyboard(tab: Tab) -> None:
    tab.goto()
    for _ in range(40):
        tab.page.keyboard.press("Tab")
        if "launcher" in tab.focused():
            break
    tab.page.keyboard.press("Enter")
    expect(tab.replies.first).to_have_attribute("data-kind", "greeting")


@pytest.mark.parametrize("pick", [0, 1, 2, 3])  # each suggestion, then "None of these"
def test_did_you_mean_by_keyboard_only(tab: Tab, kb: knowledge.KnowledgeBase, pick: int) -> None:
    offered = asked(tab.base, {"question": NEAR_MISS})
    assert offered["kind"] == "clarify"
    suggestions = offered["suggestions"]
    assert isinstance(suggestions, list) and len(suggestions) == 3, "the real model offers three here"
    open_by_keyboard(tab)
    tab.page.keyboard.type(NEAR_MISS)
    tab.page.keyboard.press("Enter")
    expect(tab.replies.last).to_have_attribute("data-kind", "clarify")
    group = tab.page.get_by_role("group", name=str(offered["answer"]))
    buttons = group.get_by_role("button")
    expect(buttons).to_have_text([s["question"] for s in suggestions] + ["None of these"])
    assert tab.focused() == "choice", "the keyboard is taken to the first suggestion"
    for _ in range(pick):
        tab.page.keyboard.press("Tab")
    tab.page.keyboard.press("Enter")
    expect(tab.replies).to_have_count(3)
    expect(buttons.nth(pick)).to_have_attribute("aria-pressed", "true")
    for button in buttons.all():
        expect(button).to_be_disabled()
    if pick < 3:
        expect(tab.replies.last).to_have_attribute("data-kind", "answer")
        expect(tab.replies.last.locator(".text")).to_have_text(kb.entry(suggestions[pick]["id"]).answer)
    else:
        expect(tab.replies.last).to_have_attribute("data-kind", "fallback")
    assert tab.focused() == "input", "after a pick the patient can type the next question"


@pytest.mark.parametrize("typed", ["2", "the second one"])
def test_a_pick_typed_right_after_did_you_mean_picks_that_suggestion(
    tab: Tab, kb: knowledge.KnowledgeBase, typed: str
) -> None:
    suggestions = asked(tab.base, {"question": NEAR_MISS})["suggestions"]
    assert isinstance(suggestions, list)
    tab.goto().open()
    expect(tab.ask(NEAR_MISS)).to_have_attribute("data-kind", "clarify")
    reply = tab.ask(typed)
    expect(reply).to_have_attribute("data-kind", "answer")
    expect(reply.locator(".text")).to_have_text(kb.entry(suggestions[1]["id"]).answer)
    expect(tab.page.locator("clinic-faq-assistant .choice").nth(1)).to_have_attribute("aria-pressed", "true")
    # Once the offer is answered, or after any other message, a number is a message like any other.
    expect(tab.ask("1")).to_have_attribute("data-kind", "fallback")


def test_thumbs_down_by_keyboard_sends_the_entry_and_the_question(tab: Tab) -> None:
    open_by_keyboard(tab)
    tab.page.keyboard.type("do you have wifi")
    tab.page.keyboard.press("Enter")
    expect(tab.replies.last).to_have_attribute("data-kind", "answer")
    feedback = tab.page.get_by_role("group", name="Was this helpful?")
    expect(feedback.get_by_role("button")).to_have_count(2)
    tab.page.keyboard.press("Shift+Tab")  # from the question field back to the last thing in the conversation
    assert tab.focused() == "vote"
    with tab.page.expect_request("**/v1/feedback") as sent:
        tab.page.keyboard.press("Enter")
    assert sent.value.post_data_json == {"id": "wifi", "helpful": False, "question": "do you have wifi"}
    expect(feedback.get_by_role("button", name="No, this did not help")).to_have_attribute("aria-pressed", "true")
    expect(feedback).to_contain_text("Thank you for your feedback.")
