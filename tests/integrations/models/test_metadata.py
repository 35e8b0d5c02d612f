"""Metadata versions: unique per company and never changed once saved."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.factories import MetadataConfigFactory

pytestmark = pytest.mark.django_db


def test_metadata_versions_are_unique_and_immutable():
    config = MetadataConfigFactory(version=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        MetadataConfigFactory(company=config.company, version=1)
    config.document = {"settings": {"changed": True}}
    with pytest.raises(ValidationError):
        config.save()
