"""Reads of metadata versions: which one Procore holds, and how two documents differ."""

import pytest
from django.utils import timezone

from integrations.selectors.metadata import (
    metadata_config_in_procore,
    metadata_config_of_company,
    metadata_documents_diff,
)
from tests.factories import CompanyFactory, MetadataConfigFactory


def test_the_diff_names_each_leaf_path_that_changed_was_added_or_removed():
    old = {"a": {"b": True, "c": [1, 2], "gone": 1}, "same": "x"}
    new = {"a": {"b": 1, "c": [1, 3], "new": {"d": 1}}, "same": "x"}
    assert [(c.text, c.kind) for c in metadata_documents_diff(old, new)] == [
        ("a.b", "changed"),  # true is not 1 in a metadata document
        ("a.c[1]", "changed"),
        ("a.gone", "removed"),
        ("a.new", "added"),
    ]
    assert metadata_documents_diff(old, old) == []


@pytest.mark.django_db
def test_procore_holds_the_version_pushed_last_and_versions_stay_within_their_company():
    company = CompanyFactory()
    v1 = MetadataConfigFactory(company=company, version=1, pushed_at=timezone.now())
    v2 = MetadataConfigFactory(company=company, version=2)
    assert metadata_config_in_procore(company=company) == v1
    v2.pushed_at = timezone.now()
    v2.save()
    assert metadata_config_in_procore(company=company) == v2
    other = MetadataConfigFactory(version=9)
    assert metadata_config_of_company(company=company, version=9) is None
    assert metadata_config_of_company(company=other.company, version="9") == other
    assert metadata_config_of_company(company=company, version="nine") is None
