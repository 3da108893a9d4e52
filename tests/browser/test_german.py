"""The German interface in a real browser: every page of the clinician's, the reviewer's and the site admin's
workflow speaks German to a German browser, the language switch keeps the page and the choice, and German
numbers and dates go in and come out as German clinicians write them.

"English" is what the project itself says in English: every word (3+ letters) of every msgid of
locale/de/LC_MESSAGES/django.po (and djangojs.po) that no German msgstr uses too (Status, Token, Export are
German as well). Citations, codes, record numbers and rule ids are exempt only through their elements
(`cite`, `code`, `.citation`, `.source`, `.record-number`, `.rule-id`); the language switch names both
languages on purpose.
"""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.fixtures import PASSWORD

pytestmark = pytest.mark.browser

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "de" / "LC_MESSAGES"
GERMAN = "de-DE"
EXEMPT = "cite, code, .citation, .source, .record-number, .rule-id, .language-switch"
WORD = re.compile(r"[^\W\d_]{3,}")
# What a msgid holds that is not English text: markup, %(name)s / %s placeholders, {done} for scripts.
NOT_TEXT = re.compile(r"<[^>]*>|%\(\w+\)[sdfr]|%[sdfr]|\{\w+\}|&\w+;")
CODE = re.compile(r"[\w-]+(?:[._][\w-]+)+")  # malignancy_concern, imaging.whole_body_mri
GERMAN_DATE = re.compile(r"\b\d{2}\.\d{2}\.\d{4}\b")
ENGLISH_DATE = re.compile(r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b")

# Run in the page: what a person reads (body text with every <details> open, the options of each list,
# the attributes that are read out or shown as tooltips), without the exempt elements; and every text
# node outside them that holds a citation, a record number or a rule id (they should be inside one).
READ_THE_PAGE = """
([exempt, needles]) => {
  const closed = [...document.querySelectorAll("details:not([open])")];
  closed.forEach((details) => { details.open = true; });
  const hidden = [...document.querySelectorAll(exempt)].map((element) => [element, element.style.display]);
  hidden.forEach(([element]) => { element.style.display = "none"; });
  const text = [document.title, document.body.innerText];
  hidden.forEach(([element, display]) => { element.style.display = display; });
  closed.forEach((details) => { details.open = false; });
  const outside = (element) => !element.closest(exempt);
  for (const option of document.querySelectorAll("select option")) {
    if (outside(option)) text.push(option.textContent);
  }
  const attributes = ["title", "aria-label", "aria-description", "placeholder", "alt"];
  const read = [];
  for (const element of document.querySelectorAll(attributes.map((name) => `[${name}]`).join(","))) {
    if (!outside(element)) continue;
    for (const name of attributes) {
      if (element.getAttribute(name)) read.push(element.getAttribute(name));
    }
  }
  const describe = (element) => {
    const parts = [];
    for (let node = element; node && node !== document.body && parts.length < 3; node = node.parentElement) {
      let part = node.tagName.toLowerCase();
      if (typeof node.className === "string" && node.className.trim()) {
        part += "." + node.className.trim().split(/\\s+/).join(".");
      }
      if (node.dataset && node.dataset.testid) part += `[data-testid=${node.dataset.testid}]`;
      parts.unshift(part);
    }
    return parts.join(" > ") || "body";
  };
  const unmarked = new Map();  // one example per kind and element
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || !outside(parent) || parent.closest("script, style, template")) continue;
    for (const [kind, needle] of needles) {
      const where = `${kind} in ${describe(parent)}`;
      if (node.textContent.includes(needle) && !unmarked.has(where)) {
        unmarked.set(where, `${where} (e.g. "${needle.slice(0, 30)}")`);
      }
    }
  }
  return {text: text.join("\\n"), attributes: read, unmarked: [...unmarked.values()]};
}
"""


def english_words() -> set[str]:
    """The project's English words that German does not share, from its own catalogue (no fallback)."""
    import polib

    english: set[str] = set()
    german: set[str] = set()
    catalogues = [LOCALE / "django.po", LOCALE / "djangojs.po"]
    for path in catalogues:
        if not path.exists():
            continue
        for entry in polib.pofile(str(path)):
            for msgid in (entry.msgid, entry.msgid_plural):
                english.update(word.lower() for word in WORD.findall(NOT_TEXT.sub(" ", msgid or "")))
            for msgstr in [entry.msgstr, *entry.msgstr_plural.values()]:
                german.update(word.lower() for word in WORD.findall(NOT_TEXT.sub(" ", msgstr or "")))
    assert len(english) > 100, f"{catalogues[0]} holds too few English words: run 'make messages'"
    return english - german - engine_german_words()


def engine_german_words() -> set[str]:
    """The words of the engine's German (exclusion/engine/de.py: rule titles and explanations shown on the
    pages), which are German too though no msgstr holds them ("positive Blutkultur", "ALL", "Vertebra
    plana"); codes in it (imaging.whole_body_mri) are not words."""
    from exclusion.engine import de

    words: set[str] = set()

    def collect(value: object) -> None:
        if isinstance(value, str):
            words.update(word.lower() for word in WORD.findall(CODE.sub(" ", value)))
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, (list, tuple, set, frozenset)):
            for item in value:
                collect(item)

    for name, value in vars(de).items():
        if name.isupper():
            collect(value)
    return words


class GermanPages:
    """Reads pages and collects, page by page, what is wrong with them; the test asserts once at the end."""

    def __init__(self, data: list[str], needles: list[tuple[str, str]]) -> None:
        self.english = english_words()
        self.data = sorted(set(data), key=len, reverse=True)  # what users typed in: names, sites, drugs
        self.needles = needles
        self.problems: list[str] = []
        self.unmarked: list[str] = []

    def check(self, page, label: str, url: str | None = None) -> None:
        """Open `url` (or take the page as it is) and check it is German."""
        if url is not None:
            response = page.goto(url)
            if response is None or response.status != 200:
                status = response.status if response else "no response"
                self.problems.append(f"{label} ({url}): HTTP {status}")
                return
        page.wait_for_load_state("load")
        where = f"{label} ({page.url.split('//', 1)[-1].split('/', 1)[-1] or '/'})"
        lang = page.locator("html").get_attribute("lang")
        if lang != "de":
            self.problems.append(f"{where}: html lang={lang!r}, not 'de'")
        found = page.evaluate(READ_THE_PAGE, [EXEMPT, self.needles])
        # An attribute holding one code (a tooltip title="malignancy_concern") cannot wrap it in <code>.
        read = [value for value in found["attributes"] if not CODE.fullmatch(value.strip())]
        words = self.english_in("\n".join([found["text"], *read]))
        if words:
            self.problems.append(
                f"{where}: English words {sorted(words, key=str.lower)}"
                + "".join(f"\n      {word}: …{context}…" for word, context in words.items())
            )
        self.unmarked.extend(f"{where}: {line}" for line in found["unmarked"])

    def english_in(self, text: str) -> dict[str, str]:
        """Each English word on the page (as written, first occurrence) with the text around it."""
        for value in self.data:
            text = text.replace(value, " ")
        seen: dict[str, str] = {}
        found: dict[str, str] = {}
        for match in WORD.finditer(text):
            word = match[0]
            if word.lower() in self.english and word.lower() not in seen:
                seen[word.lower()] = word
                around = text[max(0, match.start() - 40) : match.end() + 40]
                found[word] = " ".join(around.split())
        return found

    def report(self) -> None:
        if self.unmarked:
            # Not a failure: the lead adds the class (the templates belong to others).
            warnings.warn(
                "Citations, record numbers or rule ids outside cite/code/.citation/.source/.record-number/"
                ".rule-id:\n  " + "\n  ".join(self.unmarked),
                stacklevel=1,
            )
        assert not self.problems, "Pages that are not German:\n  " + "\n  ".join(self.problems)


def log_in(page, username: str, password: str = PASSWORD, pages: GermanPages | None = None) -> None:
    """Log in whatever the page's language (fields by id, the form's button), one-time password included."""
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("form.login button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    if "/accounts/otp/" in page.url:
        if pages is not None:
            pages.check(page, f"{username}: one-time password")
        from django_otp.oath import totp
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        page.fill("#id_code", f"{totp(device.bin_key):06d}")
        page.locator("form.login button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url and "/accounts/otp/" not in url)


def choose_language(page, code: str) -> None:
    with page.expect_navigation():
        page.locator(f'.language-switch button[value="{code}"]').click()


@pytest.fixture
def demo(transactional_db, settings, tmp_path, tasks_in_process):
    """`make run`'s demo data and users, each with the test password; the admin has an authenticator."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from tests.factories import make_totp_device

    settings.DEBUG = True  # load_demo refuses to run with DEBUG off
    call_command("load_demo", "--quiet-passwords", stdout=io.StringIO())
    settings.DEBUG = False  # the pages as a deployment serves them
    settings.REGISTRY_DIR = tmp_path / "registry"
    users = {user.username: user for user in get_user_model().objects.all()}
    for user in users.values():
        user.set_password(PASSWORD)
        user.save()
    make_totp_device(users["north-admin"])
    return users


def _user_data_and_needles() -> tuple[list[str], list[tuple[str, str]]]:
    """What users typed (exempt as data, not interface) and what must sit in an exempt element."""
    from django.contrib.auth import get_user_model

    from exclusion import engine
    from exclusion.engine import citations
    from patients.models import Patient, Site, Treatment

    data = [user.username for user in get_user_model().objects.all()]
    data += [name for site in Site.objects.all() for name in (site.name, site.code)]
    data += list(Treatment.objects.values_list("drug", flat=True))
    data.append("cohort.jsonl")  # the name of the uploaded file (the import job's page shows it)
    sources = {value for name, value in vars(citations).items() if name.isupper() and isinstance(value, str)}
    needles = [("citation", source[:40]) for source in sorted(sources)]
    needles += [("rule id", rule["id"]) for rule in engine.rule_catalogue()]
    numbers = Patient.objects.values_list("record_number", flat=True)
    needles += [("record number", number) for number in numbers]
    return data, needles


def test_every_page_of_the_clinician_reviewer_and_site_admin_is_german_in_a_german_browser(open_page, demo):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import translation

    from exclusion.models import Flag
    from exclusion.registry.services import export_job_start, import_job_start
    from patients.models import Patient, Site
    from tests.exclusion.registry.test_import import cohort, with_three_bad

    north = Site.objects.get(code="NORTH")
    patient = max(
        Patient.objects.filter(site=north).prefetch_related("episodes", "treatments"),
        key=lambda p: (p.treatments.count() > 0, p.episodes.count()),
    )
    episode = patient.episodes.order_by("-assessed_on").first()
    flag = Flag.objects.filter(patient__site=north).order_by("pk").first()
    assert flag is not None, "the demo data has no flag at NORTH"
    lines = with_three_bad(cohort(6), at=(2, 4, 6))  # a report with a table of bad rows
    upload = SimpleUploadedFile("cohort.jsonl", ("\n".join(lines) + "\n").encode())
    # Started as the German clinician's upload through the page starts it: a job reports in the language
    # it was asked for (exclusion.registry.services).
    with translation.override("de"):
        import_job = import_job_start(actor=demo["north-clinician"], site=north, upload=upload, dry_run=True)
        export_job = export_job_start(actor=demo["north-admin"], site=north)
    pages = GermanPages(*_user_data_and_needles())

    anonymous = open_page(locale=GERMAN)
    pages.check(anonymous, "login page", "/login/")

    clinician = open_page(locale=GERMAN)
    log_in(clinician, "north-clinician")
    for label, url in [
        ("patient list", "/"),
        ("patient page", f"/patients/{patient.id}/"),
        ("patient print", f"/patients/{patient.id}/print/"),
        ("episode page", f"/episodes/{episode.id}/"),
        ("episode print", f"/episodes/{episode.id}/?print=1"),
        ("new episode form", f"/patients/{patient.id}/episodes/new/"),
        ("episode edit form", f"/episodes/{episode.id}/edit/"),
        ("new patient form", "/patients/new/"),
        ("new treatment form", f"/patients/{patient.id}/treatments/new/"),
        ("rules", "/rules/"),
        ("imports and exports", "/registry/"),
        ("import job", f"/registry/jobs/{import_job.id}/"),
        ("password change", "/accounts/password/"),
    ]:
        pages.check(clinician, f"clinician: {label}", url)

    reviewer = open_page(locale=GERMAN)
    log_in(reviewer, "north-reviewer")
    for label, url in [
        ("review queue", "/review/"),
        ("flag page", f"/review/flags/{flag.id}/"),
        ("flagged episode", f"/episodes/{flag.episode_id}/"),
    ]:
        pages.check(reviewer, f"reviewer: {label}", url)

    admin = open_page(locale=GERMAN)
    log_in(admin, "north-admin", pages=pages)
    for label, url in [
        ("API tokens", "/tokens/"),
        ("audit trail", "/audit/"),
        ("locked accounts", "/accounts/lockouts/"),
        ("imports and exports", "/registry/"),
        ("export job", f"/registry/jobs/{export_job.id}/"),
    ]:
        pages.check(admin, f"site admin: {label}", url)

    pages.report()


@pytest.fixture
def north_clinician(transactional_db):
    from tests.factories import make_site, make_user

    return make_user(make_site("NORTH"), "clinician", "dr-north")


def test_the_language_switch_keeps_the_page_and_the_choice_survives_logging_out_and_in(
    open_page, north_clinician
):
    from tests.factories import make_episode

    episode = make_episode(north_clinician.memberships.get().site, "NB-LANG")
    page = open_page(locale=GERMAN)
    log_in(page, "dr-north")
    page.goto(f"/patients/{episode.patient_id}/")
    url = page.url
    expect(page.locator("html")).to_have_attribute("lang", "de")

    choose_language(page, "en-gb")
    assert page.url == url
    expect(page.locator("html")).to_have_attribute("lang", "en-gb")
    choose_language(page, "de")
    assert page.url == url
    expect(page.locator("html")).to_have_attribute("lang", "de")

    with page.expect_navigation():
        page.locator("form.logout button[type=submit]").click()
    english = open_page()  # a fresh context, English Accept-Language
    english.goto("/login/")
    expect(english.locator("html")).to_have_attribute("lang", "en-gb")
    log_in(english, "dr-north")
    expect(english.locator("html")).to_have_attribute("lang", "de")
    english.goto(f"/patients/{episode.patient_id}/")
    expect(english.locator("html")).to_have_attribute("lang", "de")


def test_a_german_decimal_comma_is_saved_as_a_number_and_dates_read_the_german_way(
    open_page, north_clinician
):
    from patients.models import Episode
    from tests.factories import make_episode

    episode = make_episode(north_clinician.memberships.get().site, "NB-KOMMA")
    page = open_page(locale=GERMAN, signed_in="dr-north")

    page.goto(f"/patients/{episode.patient_id}/")
    main = page.locator("main").inner_text()
    assert GERMAN_DATE.search(main), f"no date like 10.05.2024 on the patient page:\n{main[:1500]}"
    assert not ENGLISH_DATE.search(main), f"an English date on the patient page:\n{main[:1500]}"

    page.goto(f"/episodes/{episode.id}/edit/")
    crp = page.locator("#id_crp_mg_l")
    crp.fill("")
    crp.press_sequentially("1,8")  # typed as a German clinician types it
    with page.expect_navigation():
        page.locator("#episode-form button[type=submit].primary").click()
    errors = page.locator(".field-error, .errorlist").all_inner_texts()
    assert "/edit/" not in page.url, f"the form was refused: {errors}"
    assert Episode.objects.get(pk=episode.pk).crp_mg_l == pytest.approx(1.8)
    page.goto(f"/episodes/{episode.id}/")
    expect(page.locator("main")).to_contain_text("1,8")
