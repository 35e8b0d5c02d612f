"""Matching what Procore holds with the ERP's before a first import: by code, then by name,
ambiguous cases left to a person, and nothing created twice."""

import pytest

from erp_adapters.base import ERPObject
from integrations.models import LinkProposal
from integrations.services.link_review import LINKABLE, _propose, normalised_name

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Acme Steel, Inc.", "ACME STEEL"),
        ("Smith & Sons LLC", "smith and sons"),
        ("  Best   Co. ", "best"),
        ("O'Brien Electric Corp", "obrien electric"),
    ],
)
def test_names_compare_as_a_person_would(one, other):
    assert normalised_name(one) == normalised_name(other)


def test_a_name_that_is_only_a_legal_form_stays_itself():
    assert normalised_name("Company") == "company"


def erp(origin_id, code, name):
    return ERPObject("vendor", origin_id, code, {"name": name})


def test_proposals_by_code_then_name_with_ambiguity_left_to_a_person():
    records = [
        {"id": 1, "name": "Acme Steel", "abbreviated_name": "V-1"},  # code
        {"id": 2, "name": "Brick & Co", "abbreviated_name": ""},  # name
        {"id": 3, "name": "Twin Plumbing", "abbreviated_name": ""},  # two ERP twins
        {"id": 4, "name": "Nowhere Ltd", "abbreviated_name": ""},  # no match
        {"id": 5, "name": "Duplicate Paint", "abbreviated_name": ""},  # one ERP record for two
        {"id": 6, "name": "Duplicate Paint Inc", "abbreviated_name": ""},
    ]
    books = [
        erp("G1", "V-1", "Acme Steel Works"),
        erp("G2", "V-2", "Brick and Company"),
        erp("G3", "V-3", "Twin Plumbing"),
        erp("G4", "V-4", "Twin Plumbing LLC"),
        erp("G5", "V-5", "Duplicate Paint"),
    ]
    by_id = {p.procore_id: p for p in _propose(records, books, LINKABLE["vendors"])}
    assert (by_id[1].match, by_id[1].origin_id) == (LinkProposal.Match.CODE, "G1")
    assert (by_id[2].match, by_id[2].origin_id) == (LinkProposal.Match.NAME, "G2")
    assert by_id[3].match == LinkProposal.Match.AMBIGUOUS
    assert {c["origin_id"] for c in by_id[3].candidates} == {"G3", "G4"}
    assert (by_id[4].match, by_id[4].origin_id) == (LinkProposal.Match.NONE, "")
    assert by_id[5].match == by_id[6].match == LinkProposal.Match.AMBIGUOUS


def test_procore_projects_are_matched_to_erp_jobs_by_project_number_then_name():
    """A company's projects exist in Procore before it connects: the first job import links
    them instead of staging a second "Harbor Tower"."""
    records = [
        {"id": 11, "name": "Harbor Tower", "project_number": "J-100"},
        {"id": 12, "name": "Riverside School Renovation", "project_number": ""},
        {"id": 13, "name": "Someone Else's Project", "project_number": "X-9"},
    ]
    jobs = [
        ERPObject("project", "J1", "J-100", {"name": "Harbor Tower (phase 1)"}),
        ERPObject("project", "J2", "J-200", {"name": "Riverside School renovation"}),
    ]
    by_id = {p.procore_id: p for p in _propose(records, jobs, LINKABLE["jobs"])}
    assert (by_id[11].match, by_id[11].origin_id) == (LinkProposal.Match.CODE, "J1")
    assert (by_id[12].match, by_id[12].origin_id) == (LinkProposal.Match.NAME, "J2")
    assert by_id[13].match == LinkProposal.Match.NONE
    assert LINKABLE["jobs"].item_type == "project"
