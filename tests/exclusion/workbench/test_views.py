"""The derived pages through Django's test client: access, the patient and episode pages, filters, rules,
query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from patients.models import Patient
from tests.factories import case, make_episode, make_user
from tests.patients.helpers import symmetric_episode_post

pytestmark = pytest.mark.django_db


def test_owner_sees_the_patient_page_with_map_and_charts(client, trio, north):
    episode = make_episode(north, "NB-1")
    client.force_login(trio.owner)
    response = client.get(reverse("patients:patient_detail", args=[episode.patient_id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("data-lesion-marker") == 3
    for key in ("crp", "esr", "active_lesions", "pain", "physician_global"):
        assert f'data-chart="{key}"' in html
    assert "Add an episode" in html


def test_login_page_logs_a_clinician_in(client, trio):
    response = client.post(reverse("login"), {"username": "owner", "password": "not-a-real-password-1"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_anonymous_visitor_is_sent_to_the_login_page(client, north):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_outsider_gets_404_for_another_sites_patient_and_episode(client, trio, north):
    episode = make_episode(north, "NB-1")
    client.force_login(trio.outsider)
    assert client.get(reverse("patients:patient_detail", args=[episode.patient_id])).status_code == 404
    assert client.get(reverse("patients:episode_detail", args=[episode.id])).status_code == 404
    assert client.get(reverse("patients:episode_edit", args=[episode.id])).status_code == 404
    assert client.get(reverse("patients:episode_create", args=[episode.patient_id])).status_code == 404
    response = client.post(
        reverse("patients:episode_edit", args=[episode.id]), symmetric_episode_post(version=1)
    )
    assert response.status_code == 404


def test_outsider_does_not_see_another_sites_patients_in_the_list(client, trio, north, south):
    make_episode(north, "NB-HIDDEN")
    make_episode(south, "SB-SHOWN")
    client.force_login(trio.outsider)
    html = client.get("/").content.decode()
    assert "SB-SHOWN" in html
    assert "NB-HIDDEN" not in html


def test_teammate_reviewer_sees_read_only_pages(client, trio, north):
    episode = make_episode(north, "NB-1")
    client.force_login(trio.teammate)
    patient_html = client.get(reverse("patients:patient_detail", args=[episode.patient_id])).content.decode()
    episode_html = client.get(reverse("patients:episode_detail", args=[episode.id])).content.decode()
    assert "Add an episode" not in patient_html
    assert "Edit episode" not in episode_html
    assert "Add a patient" not in client.get("/").content.decode()
    assert client.get(reverse("patients:episode_edit", args=[episode.id])).status_code == 403
    response = client.post(
        reverse("patients:episode_edit", args=[episode.id]), symmetric_episode_post(version=1)
    )
    assert response.status_code == 403
    assert client.get(reverse("patients:patient_create")).status_code == 403
    episode.refresh_from_db()
    assert episode.version == 1


def test_unifocal_tibia_episode_page_shows_the_biopsy_banner_with_its_reason(client, trio, north):
    doc = case(lesions=[{"site": "tibia", "side": "left", "modality": "mri", "marrow_oedema": True}])
    episode = make_episode(north, "NB-1", doc)
    client.force_login(trio.owner)
    html = client.get(reverse("patients:episode_detail", args=[episode.id])).content.decode()
    assert "data-biopsy-banner" in html
    assert 'data-biopsy-reason="unifocal_non_clavicular"' in html


def test_print_view_shows_the_assessment_without_navigation(client, trio, north):
    episode = make_episode(north, "NB-1")
    client.force_login(trio.owner)
    html = client.get(reverse("patients:episode_detail", args=[episode.id]) + "?print=1").content.decode()
    assert "CNO/CRMO exclusion assessment" in html
    assert 'class="mainnav"' not in html
    assert html.count("data-differential=") == 5


def test_rules_page_lists_every_rule_with_explanation_and_source(client, trio):
    from exclusion import engine

    client.force_login(trio.owner)
    html = client.get(reverse("patients:rules")).content.decode()
    catalogue = engine.rule_catalogue()
    assert html.count("data-rule=") == len(catalogue)
    assert catalogue[0]["source"].split(".")[0] in html


def test_filters_find_biopsy_recommended_and_incomplete_patients(client, trio, north):
    make_episode(north, "NB-SYM")
    make_episode(north, "NB-UNI", case(lesions=[{"site": "tibia", "side": "left", "modality": "mri"}]))
    make_episode(north, "NB-NOLABS", case(labs={}))
    client.force_login(trio.owner)

    def shown(query: str) -> set[str]:
        response = client.get("/?" + query)
        return {patient.record_number for patient, _ in response.context["rows"]}

    assert shown("") == {"NB-SYM", "NB-UNI", "NB-NOLABS"}
    assert shown("biopsy=1") == {"NB-UNI"}
    # Ruleset 2026.12: a recommended biopsy (the unifocal tibia) keeps the work-up incomplete too.
    assert shown("incomplete=1") == {"NB-NOLABS", "NB-UNI"}
    assert shown("q=uni") == {"NB-UNI"}


def test_open_review_filter_shows_patients_with_an_open_flag(client, trio, north):
    from exclusion.models import Flag

    make_episode(north, "NB-SYM")
    make_episode(north, "NB-UNI", case(lesions=[{"site": "tibia", "side": "left", "modality": "mri"}]))
    client.force_login(trio.owner)
    flagged = set(Flag.objects.filter(status="open").values_list("patient__record_number", flat=True))
    response = client.get("/?review=1")
    assert flagged == {"NB-UNI"}
    assert {patient.record_number for patient, _ in response.context["rows"]} == flagged


def test_biopsy_filter_looks_at_the_latest_episode(client, trio, north):
    first = make_episode(north, "NB-1", case(lesions=[{"site": "tibia", "side": "left", "modality": "mri"}]))
    make_episode(north, "NB-1", case(assessed_on="2024-09-01"))
    client.force_login(trio.owner)
    response = client.get("/?biopsy=1")
    assert first.patient not in [patient for patient, _ in response.context["rows"]]


def test_working_site_is_kept_in_the_session_and_filters_the_list(client, north, south):
    both = make_user(north, "clinician", "both")
    from patients.models import SiteMembership

    SiteMembership.objects.create(user=both, site=south, role="reviewer")
    make_episode(north, "NB-1")
    make_episode(south, "SB-1")
    client.force_login(both)

    def shown() -> set[str]:
        return {patient.record_number for patient, _ in client.get("/").context["rows"]}

    assert shown() == {"NB-1", "SB-1"}
    client.post(reverse("patients:site_switch"), {"site": str(south.id), "next": "/"})
    assert shown() == {"SB-1"}
    client.post(reverse("patients:site_switch"), {"site": ""})
    assert shown() == {"NB-1", "SB-1"}


def test_switching_to_a_site_the_user_does_not_belong_to_is_ignored(client, trio, north, south):
    make_episode(north, "NB-1")
    client.force_login(trio.owner)
    client.post(reverse("patients:site_switch"), {"site": str(south.id)})
    assert client.session.get("cno_working_site") is None


def test_patient_list_paginates(client, trio, north):
    for number in range(30):
        Patient.objects.create(site=north, record_number=f"NB-{number:03d}")
    client.force_login(trio.owner)
    first = client.get("/")
    second = client.get("/?page=2")
    assert len(first.context["rows"]) == 25
    assert len(second.context["rows"]) == 5


def _list_queries(client, django_assert_max_num_queries, limit: int) -> None:
    with django_assert_max_num_queries(limit):
        assert client.get("/").status_code == 200


def test_patient_list_query_count_does_not_grow_with_patients(
    client, trio, north, django_assert_max_num_queries
):
    client.force_login(trio.owner)
    make_episode(north, "NB-0")
    client.get("/")  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get("/")
    for number in range(1, 12):
        make_episode(north, f"NB-{number}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get("/?biopsy=0")
    assert len(response.context["rows"]) == 12


def test_patient_page_query_count_does_not_grow_with_episodes_and_lesions(
    client, trio, north, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    patient = make_episode(north, "NB-1").patient
    client.force_login(trio.owner)
    url = reverse("patients:patient_detail", args=[patient.id])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    many_lesions = [
        {"site": "femur", "side": side, "modality": "mri", "marrow_oedema": True}
        for side in ("left", "right")
    ] * 3
    for month in range(6, 12):
        make_episode(north, "NB-1", case(assessed_on=f"2024-{month:02d}-01", lesions=many_lesions))
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('data-episode="') == 7


def test_episode_page_query_count_does_not_grow_with_lesions(
    client, trio, north, django_assert_max_num_queries
):
    lesions = [{"site": "rib", "side": "left", "level": str(n), "modality": "mri"} for n in range(1, 11)]
    episode = make_episode(north, "NB-1", case(lesions=lesions))
    client.force_login(trio.owner)
    # 9, not 8: the one-time-password device lookup of the django-otp middleware; 10 with the review status.
    with django_assert_max_num_queries(10):
        response = client.get(reverse("patients:episode_detail", args=[episode.id]))
    assert response.content.decode().count("data-lesion-marker") == 10


def _render(source: str, **context) -> str:
    from django.template import Context, Template

    return Template("{% load cno_ui %}" + source).render(Context(context))


def test_skeleton_map_places_left_and_right_lesions_on_opposite_sides():
    from patients.models import Lesion

    lesions = [
        Lesion(site="tibia", side="left", modality="mri"),
        Lesion(site="tibia", side="right", modality="xray"),
    ]
    svg = _render("{% skeleton_map lesions %}", lesions=lesions)
    assert svg.count("data-lesion-marker") == 2
    # Front view: the patient's right is drawn on the viewer's left.
    right_x = float(svg.split('data-side="right"')[1].split('cx="')[1].split('"')[0])
    left_x = float(svg.split('data-side="left"')[1].split('cx="')[1].split('"')[0])
    assert right_x < 120 < left_x


def test_trend_chart_leaves_out_unknown_values_rather_than_drawing_zero():
    import datetime

    from patients.trends import trend_layout

    points = [
        (datetime.date(2024, 1, 1), 10.0),
        (datetime.date(2024, 2, 1), None),
        (datetime.date(2024, 3, 1), 30.0),
    ]
    svg = _render('{% trend_chart points "crp" "CRP" "mg/L" %}', points=points)
    assert svg.count("data-point") == 2
    assert [p.value for p in trend_layout(points).points] == [10.0, 30.0]
    unknown = [(datetime.date(2024, 1, 1), None)]
    assert "No values recorded yet" in _render('{% trend_chart points "esr" "ESR" %}', points=unknown)


def test_the_map_and_the_activity_summary_share_one_definition_of_an_active_lesion():
    import itertools

    from exclusion.summaries.facts import LesionFacts
    from patients.lesions import lesion_is_active
    from patients.models import Lesion
    from patients.skeleton import skeleton_layout

    for modality, active, oedema in itertools.product(("mri", "xray"), (False, True), (False, True)):
        row = Lesion(site="femur", side="left", modality=modality, active=active, marrow_oedema=oedema)
        facts = LesionFacts(site="femur", side="left", modality=modality, active=active, marrow_oedema=oedema)
        expected = active or (modality == "mri" and oedema)
        assert lesion_is_active(row) is facts.is_active is expected
        assert skeleton_layout([row]).markers[0].active is expected


def test_lesions_at_one_place_are_fanned_out_so_each_stays_visible():
    from patients.models import Lesion
    from patients.skeleton import MIDX, skeleton_layout

    layout = skeleton_layout([Lesion(site="sternum", side="midline", modality="mri") for _ in range(3)])
    places = {(m.x, m.y) for m in layout.markers}
    assert len(places) == 3
    assert layout.markers[0].x == MIDX
    assert [m.index for m in layout.markers] == [1, 2, 3]


def _crp_chart(client, user, patient_id: int) -> str:
    client.force_login(user)
    html = client.get(reverse("patients:patient_detail", args=[patient_id])).content.decode()
    return html.split('data-chart="crp"')[1].split("</figure>")[0]


def test_trends_are_read_from_a_current_activity_summary(client, trio, north):
    from exclusion.summaries.models import ActivitySummary
    from exclusion.summaries.services import summary_mark_stale, summary_recompute_chunk

    episode = make_episode(north, "TR-1")  # CRP 12 mg/L
    summary_mark_stale(patient_ids=[episode.patient_id])
    summary_recompute_chunk(patient_ids=[episode.patient_id])
    summary = ActivitySummary.objects.get(patient_id=episode.patient_id)
    assert not summary.stale
    assert f"{episode.assessed_on.isoformat()}: 12 mg/L" in _crp_chart(client, trio.owner, episode.patient_id)
    # The chart shows what the summary holds, not a second computation.
    summary.trend = [{**row, "crp_mg_l": 42} for row in summary.trend]
    summary.save(update_fields=["trend"])
    assert f"{episode.assessed_on.isoformat()}: 42 mg/L" in _crp_chart(client, trio.owner, episode.patient_id)


def test_while_the_summary_is_pending_the_trends_come_from_the_episodes(client, trio, north):
    from exclusion.summaries.models import ActivitySummary
    from exclusion.summaries.services import summary_mark_stale

    episode = make_episode(north, "TR-2")
    summary_mark_stale(patient_ids=[episode.patient_id])
    ActivitySummary.objects.filter(patient_id=episode.patient_id).update(trend=[])
    assert f"{episode.assessed_on.isoformat()}: 12 mg/L" in _crp_chart(client, trio.owner, episode.patient_id)
