"""The browser review queue: order, filters, counts, key facts, actions, roles and query counts."""

from __future__ import annotations

import pytest
from django.test import Client

from exclusion.models import Flag, SignOff
from exclusion.review.services import flag_decide
from tests.clients import browser
from tests.exclusion.review.cases import infection_case, malignancy_case, unifocal_tibia_case
from tests.factories import case, make_episode, make_user

pytestmark = pytest.mark.django_db


def _record_numbers(response) -> list[str]:
    return [row["flag"].patient.record_number for row in response.context["rows"]]


def test_the_queue_puts_malignancy_then_infection_then_unifocal_first_with_key_facts(north, reviewer):
    make_episode(north, "N-UNI", unifocal_tibia_case())
    make_episode(north, "N-INF", infection_case())
    make_episode(north, "N-MAL", malignancy_case())
    response = browser(reviewer).get("/review/")
    assert response.status_code == 200
    assert _record_numbers(response) == ["N-MAL", "N-INF", "N-UNI"]
    html = response.content.decode()
    assert "tibia (left)" in html and "Unifocal, not clavicle" in html and "unifocal" in html
    assert response.context["counts"] == {"open": 3, "decided": 0, "resolved": 0, "all": 3}


def test_the_queue_shows_each_concern_as_a_red_pill_naming_its_differential(north, reviewer):
    make_episode(north, "N-MAL", malignancy_case())
    make_episode(north, "N-INF", infection_case())
    html = browser(reviewer).get("/review/").content.decode()
    assert 'class="pill concern" data-glance-pill="concern" data-concern="malignancy"' in html
    assert 'data-concern="infection"' in html
    assert "Exclusion work-up complete" not in html  # never green beside a concern


def test_within_a_group_the_older_flag_comes_first(north, reviewer):
    make_episode(north, "N-OLD", unifocal_tibia_case())
    make_episode(north, "N-NEW", unifocal_tibia_case())
    assert _record_numbers(browser(reviewer).get("/review/")) == ["N-OLD", "N-NEW"]


def test_the_queue_filters_by_site_reason_status_and_assignee(north, south, reviewer, flag):
    make_episode(north, "N-MAL", malignancy_case())
    make_episode(south, "S-MAL", malignancy_case())
    both = make_user(north, "reviewer", "both_sites")
    from patients.models import SiteMembership

    SiteMembership.objects.create(user=both, site=south, role="reviewer")
    client = browser(both)
    assert _record_numbers(client.get("/review/?site=SOUTH")) == ["S-MAL"]
    assert _record_numbers(client.get("/review/?reason=unifocal_non_clavicular")) == ["N-UNI-1"]
    client.post(f"/review/flags/{flag.pk}/assign/", {"assignee": "me"})
    assert _record_numbers(client.get("/review/?assignee=me")) == ["N-UNI-1"]
    flag_decide(actor=reviewer, flag=flag, decision="cno_supported")
    response = client.get("/review/?status=decided")
    assert _record_numbers(response) == ["N-UNI-1"]
    assert response.context["counts"]["decided"] == 1 and response.context["counts"]["open"] == 2


def test_an_invalid_filter_shows_its_error_and_keeps_the_default_queue(reviewer, flag):
    response = browser(reviewer).get("/review/?site=SOUTH")
    assert response.status_code == 200
    assert "SOUTH is not one of your sites." in response.content.decode()
    assert _record_numbers(response) == ["N-UNI-1"]


def test_the_queue_query_count_does_not_grow_with_the_number_of_flags(
    north, reviewer, django_assert_max_num_queries
):
    client = browser(reviewer)
    make_episode(north, doc=unifocal_tibia_case())
    with django_assert_max_num_queries(12) as baseline:
        client.get("/review/")
    baseline_count = len(baseline.captured_queries)  # read now: a request resets it
    for _ in range(6):
        make_episode(north, doc=malignancy_case())
    with django_assert_max_num_queries(baseline_count):
        response = client.get("/review/")
    assert len(response.context["rows"]) == 7


def test_the_flag_page_query_count_does_not_grow_with_history(flag, reviewer, django_assert_max_num_queries):
    client = browser(reviewer)
    with django_assert_max_num_queries(20) as baseline:
        client.get(f"/review/flags/{flag.pk}/")
    baseline_count = len(baseline.captured_queries)  # read now: a request resets it
    for n in range(5):
        client.post(f"/review/flags/{flag.pk}/comment/", {"text": f"note {n}"})
    with django_assert_max_num_queries(baseline_count):
        response = client.get(f"/review/flags/{flag.pk}/")
    assert len(response.context["events"]) == 6


def test_a_reviewer_decides_and_the_case_leaves_the_open_queue(flag, reviewer):
    client = browser(reviewer)
    response = client.post(
        f"/review/flags/{flag.pk}/decide/", {"decision": "biopsy_ordered", "comment": "Booked"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/review/"
    assert "Decision recorded for N-UNI-1" in response.content.decode()
    assert _record_numbers(response) == []
    flag.refresh_from_db()
    assert (flag.status, flag.decision, flag.decided_by) == ("decided", "biopsy_ordered", reviewer)


def test_a_decision_without_the_required_reason_is_refused_and_keeps_what_was_typed(flag, reviewer):
    response = browser(reviewer).post(
        f"/review/flags/{flag.pk}/decide/",
        {"decision": "biopsy_not_indicated", "comment": "Typical on WB-MRI"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "A coded reason is required when a biopsy is not indicated" in html
    assert "Typical on WB-MRI" in html
    flag.refresh_from_db()
    assert flag.status == "open"


def test_a_clinician_sees_the_flag_without_action_buttons_and_is_refused_on_post(flag, trio):
    client = browser(trio.owner)
    page = client.get(f"/review/flags/{flag.pk}/")
    assert page.status_code == 200
    assert "Record decision" not in page.content.decode()
    assert "only reviewers of NORTH" in page.content.decode()
    for action, data in [
        ("decide", {"decision": "biopsy_ordered"}),
        ("comment", {"text": "hello"}),
        ("assign", {"assignee": "me"}),
    ]:
        assert client.post(f"/review/flags/{flag.pk}/{action}/", data).status_code == 403
    flag.refresh_from_db()
    assert flag.status == "open" and flag.events.count() == 1


def test_a_reviewer_of_another_site_gets_404_for_the_flag(flag, south_reviewer, trio):
    for outsider in (south_reviewer, trio.outsider):
        client = browser(outsider)
        assert client.get(f"/review/flags/{flag.pk}/").status_code == 404
        assert (
            client.post(f"/review/flags/{flag.pk}/decide/", {"decision": "biopsy_ordered"}).status_code == 404
        )
        assert _record_numbers(client.get("/review/")) == []


def test_assigning_to_a_teammate_and_commenting_show_in_the_history(flag, reviewer, north):
    mate = make_user(north, "reviewer", "mate")
    client = browser(reviewer)
    client.post(f"/review/flags/{flag.pk}/assign/", {"assignee": str(mate.pk)})
    client.post(f"/review/flags/{flag.pk}/comment/", {"text": "Please review before MDT"})
    html = client.get(f"/review/flags/{flag.pk}/").content.decode()
    assert "to mate" in html and "Please review before MDT" in html
    assert Flag.objects.get(pk=flag.pk).assignee == mate


def test_assigning_a_clinician_is_refused_naming_the_field(flag, reviewer, trio):
    response = browser(reviewer).post(f"/review/flags/{flag.pk}/assign/", {"assignee": str(trio.owner.pk)})
    assert response.status_code == 400
    assert "is not one of the available choices" in response.content.decode()


def test_a_reviewer_signs_off_and_an_edit_marks_it_changed_since_sign_off(north, reviewer):
    from patients.services import episode_update

    episode = make_episode(north, "N-OK", case())
    client = browser(reviewer)
    response = client.post(
        f"/review/episodes/{episode.pk}/sign-off/", {"expected_version": 1, "next": "/review/"}, follow=True
    )
    assert "Work-up signed off" in response.content.decode()
    assert SignOff.objects.get(episode=episode).signed_by == reviewer
    episode_update(actor=None, episode_id=episode.pk, expected_version=1, data={"esr_mm_h": 35})
    from django.template.loader import render_to_string

    from exclusion.review.selectors import signoff_for_episodes

    html = render_to_string(
        "review/_signoff_badge.html", {"signoff": signoff_for_episodes([episode.pk])[episode.pk]}
    )
    assert "changed since sign-off" in html and "rev_north" in html


def test_a_clinician_cannot_sign_off_and_an_outsider_gets_404(north, trio):
    episode = make_episode(north, "N-OK2", case())
    assert (
        browser(trio.owner)
        .post(f"/review/episodes/{episode.pk}/sign-off/", {"expected_version": 1})
        .status_code
        == 403
    )
    assert (
        browser(trio.outsider)
        .post(f"/review/episodes/{episode.pk}/sign-off/", {"expected_version": 1})
        .status_code
        == 404
    )
    assert not SignOff.objects.exists()


def test_the_queue_requires_login(flag):
    response = Client().get("/review/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_patient_page_includes_show_flag_decision_and_sign_off(
    flag, reviewer, trio, django_assert_num_queries
):
    from django.template.loader import render_to_string

    from exclusion.review.selectors import flags_for_episodes

    flag_decide(
        actor=reviewer, flag=flag, decision="biopsy_not_indicated", reason_code="other", comment="MDT"
    )
    with django_assert_num_queries(2):  # the clinician's memberships, then the flags
        flags = flags_for_episodes(user=trio.owner, episode_ids=[flag.episode_id])
    html = render_to_string("review/_flag_summary.html", {"flag": flags[flag.episode_id]})
    assert "Biopsy not indicated" in html and "rev_north" in html
    assert flags_for_episodes(user=trio.outsider, episode_ids=[flag.episode_id]) == {}
    assert "not signed off" in render_to_string("review/_signoff_badge.html", {"signoff": None})


def test_a_flag_whose_episode_was_deleted_still_shows_with_its_history(flag, reviewer, north):
    from patients.services import episode_delete

    episode_delete(actor=None, episode=flag.episode)
    response = browser(reviewer).get(f"/review/flags/{flag.pk}/")
    assert response.status_code == 200
    assert "(episode deleted)" in response.content.decode()
    assert response.context["flag"].status == "resolved"
