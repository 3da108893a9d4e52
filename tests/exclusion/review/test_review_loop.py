"""The review loop closed: the clinician sees the decision, a decision can be revised (kept in history),
reviewers are emailed when a flag opens, the navigation counts open flags, empty states are honest."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from exclusion.models import Flag, SignOff
from exclusion.review.services import FlagStateError, episode_sign_off, flag_decide, flag_revise
from exclusion.review.tasks import notify_flag_opened
from patients.services import episode_update
from tests.clients import browser
from tests.exclusion.review.cases import malignancy_case, unifocal_tibia_case
from tests.factories import make_episode, make_user

pytestmark = pytest.mark.django_db


def _review_status(html: str) -> str:
    """The review-status section of a page, alone."""
    start = html.index('data-testid="review-status"')
    return html[start : html.index("</section>", start)]


def _not_indicated(reviewer, flag):
    return flag_decide(
        actor=reviewer,
        flag=flag,
        decision="biopsy_not_indicated",
        reason_code="typical_multifocal_pattern",
        comment="WB-MRI shows three more typical lesions",
    )


# --- The clinician sees the outcome ----------------------------------------------------------------------


def test_the_clinician_sees_the_decision_on_the_episode_page(flag, reviewer, trio):
    _not_indicated(reviewer, flag)
    episode_sign_off(actor=reviewer, episode=flag.episode, comment="MDT agreed")
    html = (
        browser(trio.owner).get(reverse("patients:episode_detail", args=[flag.episode_id])).content.decode()
    )
    status = _review_status(html)
    assert "Biopsy not indicated — Typical multifocal pattern on whole-body MRI" in status
    assert "WB-MRI shows three more typical lesions" in status
    assert "By rev_north on" in status and "Work-up signed off by rev_north" in status
    assert f'href="/review/flags/{flag.pk}/"' in status
    assert "biopsy_not_indicated" not in html and "typical_multifocal_pattern" not in html
    assert "Waiting for review" not in status


def test_the_patient_page_shows_the_latest_episodes_open_flag_with_its_reason_and_age(flag, trio):
    response = browser(trio.owner).get(reverse("patients:patient_detail", args=[flag.patient_id]))
    html = response.content.decode()
    status = _review_status(html)
    assert 'data-status="open"' in html and "Waiting for review" in status
    assert "Unifocal, not clavicle" in status and "not yet assigned" in status
    assert "unifocal_non_clavicular" not in status


def test_another_sites_user_gets_no_review_status(flag, trio):
    from exclusion.review.selectors import review_status_for_episode

    assert review_status_for_episode(user=trio.outsider, episode=flag.episode) is None
    assert review_status_for_episode(user=trio.owner, episode=flag.episode).flag == flag


def test_the_review_status_is_one_query(flag, reviewer, trio, django_assert_num_queries):
    from exclusion.review.selectors import review_status_for_episode
    from patients import access

    _not_indicated(reviewer, flag)
    episode_sign_off(actor=reviewer, episode=flag.episode)
    access.memberships(trio.owner)  # the page has loaded them already
    with django_assert_num_queries(1):
        status = review_status_for_episode(user=trio.owner, episode=flag.episode)
    assert status.signoff.signed_by == "rev_north" and not status.signoff.changed_since
    assert status.reasons == ["Unifocal, not clavicle"]


def test_open_since_is_not_shown_once_decided(flag, reviewer):
    client = browser(reviewer)
    assert "Open since" in client.get(f"/review/flags/{flag.pk}/").content.decode()
    _not_indicated(reviewer, flag)
    html = client.get(f"/review/flags/{flag.pk}/").content.decode()
    assert "Open since" not in html and "Opened" in html


# --- Revising a decision --------------------------------------------------------------------------------


def test_a_revised_decision_keeps_the_first_in_the_history(flag, reviewer):
    _not_indicated(reviewer, flag)
    flag_revise(
        actor=reviewer, flag=flag, decision="biopsy_ordered", comment="Pain worse: MDT asks for a biopsy"
    )
    flag.refresh_from_db()
    assert (flag.status, flag.decision, flag.decision_reason_code) == ("decided", "biopsy_ordered", "")
    decided, revised = flag.events.filter(kind__in=["decided", "revised"]).order_by("id")
    assert decided.detail["decision"] == "biopsy_not_indicated"
    assert decided.text == "WB-MRI shows three more typical lesions"
    assert revised.detail["decision"] == "biopsy_ordered"
    assert revised.detail["previous"]["decision"] == "biopsy_not_indicated"
    html = browser(reviewer).get(f"/review/flags/{flag.pk}/").content.decode()
    history = html[html.index('data-testid="history"') :]
    first = history.index("Biopsy not indicated — Typical multifocal pattern on whole-body MRI")
    assert first < history.index("Decision revised")
    assert "biopsy_not_indicated" not in history


def test_a_revision_needs_a_reason_and_a_decided_flag(flag, reviewer, trio):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(FlagStateError):
        flag_revise(actor=reviewer, flag=flag, decision="cno_supported", comment="too early")
    flag_decide(actor=reviewer, flag=flag, decision="cno_supported")
    with pytest.raises(ValidationError) as error:
        flag_revise(actor=reviewer, flag=flag, decision="biopsy_ordered")
    assert "comment" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        flag_revise(actor=trio.owner, flag=flag, decision="biopsy_ordered", comment="I disagree")
    flag.refresh_from_db()
    assert flag.decision == "cno_supported"


def test_a_reviewer_revises_a_decision_in_the_browser_and_the_episode_page_follows(flag, reviewer, trio):
    _not_indicated(reviewer, flag)
    client = browser(reviewer)
    page = client.get(f"/review/flags/{flag.pk}/").content.decode()
    assert "Revise the decision" in page
    refused = client.post(f"/review/flags/{flag.pk}/revise/", {"revise-decision": "biopsy_ordered"})
    assert refused.status_code == 400 and "Say why the decision is revised" in refused.content.decode()
    response = client.post(
        f"/review/flags/{flag.pk}/revise/",
        {"revise-decision": "biopsy_ordered", "revise-comment": "New pain at night"},
    )
    assert response.status_code == 302
    html = (
        browser(trio.owner).get(reverse("patients:episode_detail", args=[flag.episode_id])).content.decode()
    )
    assert "Decision (revised):</strong> Biopsy ordered" in html


def test_the_api_revises_a_decision_through_the_same_service(flag, reviewer):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(reviewer)
    url = f"/api/v1/flags/{flag.pk}/revision/"
    assert api.post(url, {"decision": "biopsy_ordered", "comment": "x"}, format="json").status_code == 409
    flag_decide(actor=reviewer, flag=flag, decision="cno_supported")
    missing = api.post(url, {"decision": "biopsy_ordered"}, format="json")
    assert missing.status_code == 400 and "comment" in {e["path"] for e in missing.json()["errors"]}
    body = api.post(url, {"decision": "biopsy_ordered", "comment": "Night pain"}, format="json").json()
    assert body["status"] == "decided" and body["decision"]["decision"] == "biopsy_ordered"
    assert [e["kind"] for e in body["events"]] == ["created", "decided", "revised"]


def test_a_sign_off_before_a_revision_says_so(flag, reviewer, trio):
    _not_indicated(reviewer, flag)
    episode_sign_off(actor=reviewer, episode=flag.episode)
    flag_revise(actor=reviewer, flag=flag, decision="biopsy_ordered", comment="Changed my mind")
    html = (
        browser(trio.owner).get(reverse("patients:episode_detail", args=[flag.episode_id])).content.decode()
    )
    assert "The decision was revised after this sign-off." in html
    assert SignOff.objects.count() == 1


# --- Emails to the site's reviewers ----------------------------------------------------------------------


@pytest.fixture
def reviewers(north, south):
    return {
        "north": [
            make_user(north, "reviewer", "rev_a", email="a@north.example"),
            make_user(north, "reviewer", "rev_b", email="b@north.example"),
        ],
        "clinician": make_user(north, "clinician", "clin", email="clin@north.example"),
        "south": make_user(south, "reviewer", "rev_s", email="s@south.example"),
    }


def _recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_reviewers_get_one_email_when_a_flag_opens_and_one_when_it_reopens(
    north, reviewers, tasks_in_process, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        episode = make_episode(north, "N-MAIL", unifocal_tibia_case())
    assert _recipients() == ["a@north.example", "b@north.example"]
    flag = Flag.objects.get(episode=episode)
    message = mail.outbox[0]
    assert "N-MAIL" not in message.subject and "N-MAIL" not in message.body
    assert message.subject == "[CNO workbench] A review flag opened at NORTH"
    assert f"/review/flags/{flag.pk}/" in message.body and message.body.count("http") == 1

    flag_decide(actor=reviewers["north"][0], flag=flag, decision="biopsy_ordered")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        episode_update(
            actor=None, episode_id=episode.pk, expected_version=episode.version, data={"fever": True}
        )
    flag.refresh_from_db()
    assert flag.status == "open"
    assert _recipients() == ["a@north.example", "b@north.example"]
    assert "reopened" in mail.outbox[0].subject


def test_no_reviewer_is_emailed_twice_for_the_same_opening(flag, reviewers, tasks_in_process):
    first = notify_flag_opened.delay(flag.pk).get()
    again = notify_flag_opened.delay(flag.pk).get()
    assert (first, again) == (2, 0)
    assert len(mail.outbox) == 2


def test_reviewers_of_another_site_and_clinicians_get_no_email(flag, reviewers, tasks_in_process):
    notify_flag_opened.delay(flag.pk)
    assert "s@south.example" not in _recipients() and "clin@north.example" not in _recipients()


def test_a_flag_decided_before_the_email_went_out_sends_none(flag, reviewer, reviewers, tasks_in_process):
    flag_decide(actor=reviewer, flag=flag, decision="cno_supported")
    assert notify_flag_opened.delay(flag.pk).get() == 0
    assert mail.outbox == []


# --- The navigation count ---------------------------------------------------------------------------------


def _nav_count(client) -> str | None:
    html = client.get("/").content.decode()
    marker = 'data-testid="nav-open-flags"'
    if marker not in html:
        return None
    return html[html.index(marker) :].split(">", 1)[1].split("<", 1)[0]


def test_the_nav_count_counts_only_own_sites(north, south, reviewer, south_reviewer, trio):
    make_episode(north, "N-1", unifocal_tibia_case())
    make_episode(north, "N-2", malignancy_case())
    make_episode(south, "S-1", malignancy_case())
    assert _nav_count(browser(reviewer)) == "2 open"
    assert _nav_count(browser(south_reviewer)) == "1 open"
    assert _nav_count(browser(trio.owner)) is None  # a clinician reviews nowhere


def test_the_nav_count_costs_a_reviewer_one_query_and_a_clinician_none(
    flag, reviewer, trio, django_assert_num_queries
):
    from django.test import RequestFactory

    from exclusion.review.context_processors import review_nav
    from patients import access

    for user, queries, count in ((reviewer, 1, 1), (trio.owner, 0, None)):
        request = RequestFactory().get("/")
        request.user = user
        access.memberships(user)  # loaded by every page's scoped selectors
        with django_assert_num_queries(queries):
            assert review_nav(request)["review_nav"].open_count == count


# --- Honest empty states --------------------------------------------------------------------------------


def test_the_empty_state_under_a_filter_names_the_open_count(north, reviewer):
    make_episode(north, "N-1", unifocal_tibia_case())
    make_episode(north, "N-2", malignancy_case())
    html = browser(reviewer).get("/review/?assignee=me").content.decode()
    empty = html[html.index('data-testid="queue-empty"') :]
    assert "No flags match these filters." in empty and "2 flags are open at your sites" in empty
    assert "Nothing is waiting for review" not in html


def test_an_empty_queue_without_filters_says_nothing_is_waiting(north, reviewer):
    html = browser(reviewer).get("/review/").content.decode()
    assert "Nothing is waiting for review at your sites." in html
