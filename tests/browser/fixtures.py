"""Browser fixtures for every `@pytest.mark.browser` test: Debian's Chromium driven by Playwright's sync API
against pytest-django's live server. tests/conftest.py exposes the fixtures to the whole suite.

Every page opened through `open_page` is screenshotted into test-artifacts/ when its test ends (pass or
fail), named after the test.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "not-a-real-password-1"  # tests.factories.make_user's password


@pytest.fixture(scope="session")
def chromium() -> Iterator:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Debian's Chromium is not installed at {CHROMIUM}: "
            "`make test` installs it (apt-get install chromium)."
        )
    # Playwright's sync API runs an event loop in this thread; Django's ORM in the test refuses that
    # unless told it is safe (it is: the loop only drives the browser).
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Every page reports what the Content-Security-Policy blocked: Chromium's own console error ("Refused to …
# because it violates the following Content Security Policy directive") and, to be sure, each
# securitypolicyviolation event, turned into a console error by this script (Playwright injects it outside
# the page's policy).
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error("Content Security Policy violation: " + event.violatedDirective + " blocked "
    + (event.blockedURI || "inline code") + " at " + event.sourceFile + ":" + event.lineNumber);
});
"""


def csp_violations(messages: list[str]) -> list[str]:
    return [text for text in messages if "Content Security Policy" in text]


@pytest.fixture
def open_page(chromium, live_server, request) -> Iterator[Callable]:
    """Open a page in a fresh browser context (its own cookies); several per test for several users.

    When the test ends, no page may have had anything blocked by the Content-Security-Policy."""
    contexts = []
    pages = []
    console: list[str] = []

    def factory(locale: str = "en-GB", signed_in: str | None = None):
        """A page in a new context; `locale="de-DE"` is a German browser (German Accept-Language).

        `signed_in="dr-north"` opens the patient list already signed in as that user, as after a finished
        sign-in (one-time password included), for tests about something else; the sign-in itself is
        tested through the login form (`login`)."""
        context = chromium.new_context(
            viewport={"width": 1280, "height": 900}, base_url=live_server.url, locale=locale
        )
        context.set_default_timeout(15_000)
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        contexts.append(context)
        if signed_in is not None:
            context.add_cookies([session_cookie(signed_in, live_server.url)])
        page = context.new_page()
        page.on("console", lambda message: console.append(f"{page.url}: {message.text}"))
        pages.append(page)
        if signed_in is not None:
            page.goto("/")
        return page

    factory.console = console  # type: ignore[attr-defined]  # what the pages logged, for tests that look

    yield factory
    ARTIFACTS.mkdir(exist_ok=True)
    for index, page in enumerate(pages, start=1):
        suffix = "" if len(pages) == 1 else f"-{index}"
        try:
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}{suffix}.png"), full_page=True)
        except Exception as exc:  # a failed screenshot must not hide the test's own result
            print(f"screenshot failed: {exc}")
    for context in contexts:
        context.close()
    assert csp_violations(console) == [], "the Content-Security-Policy blocked something"


def session_cookie(username: str, url: str) -> dict[str, str]:
    """The session cookie of a finished sign-in of the user (Django's test client makes the session)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from tests.clients import browser

    client = browser(get_user_model().objects.get(username=username))
    name = settings.SESSION_COOKIE_NAME
    return {"name": name, "value": client.cookies[name].value, "url": url}


def login(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    if "/accounts/otp/" in page.url:
        pass_the_otp_step(page, username)
    page.wait_for_url("**/")


def pass_the_otp_step(page, username: str) -> None:
    """Do what the user does with an authenticator app: add it from the secret shown, or read its code."""
    from base64 import b32decode

    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    secret = page.locator("[data-otp-secret]")
    if secret.count():
        page.get_by_label("Code from the app").fill(f"{totp(b32decode(secret.input_value())):06d}")
        page.get_by_role("button", name="Confirm").click()
        page.get_by_role("link", name="Continue").click()
    else:
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        page.get_by_label("One-time password").fill(f"{totp(device.bin_key):06d}")
        page.get_by_role("button", name="Verify").click()
