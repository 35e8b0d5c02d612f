"""Forms of the prime contract pages (a project user's prime contract and change orders). They
only parse input; ``services/prime_contracts.py`` decides."""

from __future__ import annotations

from django import forms
from django.forms import formset_factory

from procore_sandbox.models import Company, ProcoreObject
from procore_sandbox.web.forms import ObjectChoiceField, _objects


class PrimeContractForm(forms.Form):
    project = ObjectChoiceField(queryset=ProcoreObject.objects.none())
    title = forms.CharField(max_length=200)
    number = forms.CharField(max_length=50, required=False)

    def __init__(self, *args, company: Company, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = _objects(company, "project")


class PrimeChangeOrderForm(forms.Form):
    prime_contract = ObjectChoiceField(queryset=ProcoreObject.objects.none())
    title = forms.CharField(max_length=200)
    number = forms.CharField(max_length=50, required=False)

    def __init__(self, *args, company: Company, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["prime_contract"].queryset = _objects(company, "prime_contract").select_related(
            "project"
        )


class PrimeLineField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ProcoreObject) -> str:
        return f"{obj.parent.label} — {obj.data.get('description')} ({obj.data.get('amount')})"


class PrimeChangeOrderLineForm(forms.Form):
    prime_line = PrimeLineField(queryset=ProcoreObject.objects.none(), required=False)
    amount = forms.DecimalField(required=False, max_digits=14, decimal_places=2)
    markup_name = forms.CharField(max_length=60, required=False)
    markup_percentage = forms.DecimalField(
        required=False, max_digits=7, decimal_places=4, min_value=0
    )
    description = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, company: Company, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["prime_line"].queryset = (
            ProcoreObject.objects.filter(
                company=company, item_type="line_item", parent__item_type="prime_contract"
            )
            .select_related("parent")
            .order_by("parent_id", "id")
        )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("amount") is not None and not data.get("prime_line"):
            raise forms.ValidationError("A line with an amount needs the contract line it changes.")
        if data.get("markup_percentage") is not None and not data.get("markup_name"):
            raise forms.ValidationError("A markup needs a name (Overhead, Fee, …).")
        return data


PrimeChangeOrderLineFormSet = formset_factory(PrimeChangeOrderLineForm, extra=3)
