"""Companies: Procore's 64-bit company ids, one company per id."""

import pytest
from django.db import IntegrityError, transaction

from integrations.models import Company
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db


def test_company_id_holds_64_bit_values():
    big = 2**62 + 12345
    CompanyFactory(procore_company_id=big)
    assert Company.objects.get(procore_company_id=big).procore_company_id == big


def test_second_company_with_same_procore_id_is_refused():
    CompanyFactory(procore_company_id=42)
    with pytest.raises(IntegrityError), transaction.atomic():
        CompanyFactory(procore_company_id=42)
