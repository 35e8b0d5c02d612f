"""Forms of the sandbox's pages. They only parse input; services decide."""

from __future__ import annotations

from django import forms
from django.forms import formset_factory

from procore_sandbox.models import Company, ProcoreObject
from procore_sandbox.services.objects import COMMITMENT_ITEM_TYPES, TYPE_LABELS


class CompanyForm(forms.Form):
    name = forms.CharField(max_length=200)
    company_id = forms.IntegerField(
        required=False, min_value=1, help_text="Leave empty to get the next id above 2^32."
    )


class InstallForm(forms.Form):
    client_id = forms.CharField(max_length=200)
    client_secret = forms.CharField(max_length=200)
    app_name = forms.CharField(max_length=200, required=False, initial="ERP Integration")


class VendorForm(forms.Form):
    name = forms.CharField(max_length=200)
    abbreviated_name = forms.CharField(max_length=50, required=False)
    email_address = forms.EmailField(required=False)
    business_phone = forms.CharField(max_length=50, required=False)
    city = forms.CharField(max_length=100, required=False)


class ProjectForm(forms.Form):
    name = forms.CharField(max_length=200)
    project_number = forms.CharField(max_length=50, required=False)
    city = forms.CharField(max_length=100, required=False)
    cost_codes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="One per line: code, a space, the name. Empty: a few defaults.",
    )

    def clean_cost_codes(self) -> list[tuple[str, str]]:
        codes = []
        for raw in self.cleaned_data["cost_codes"].splitlines():
            line = raw.strip()
            if not line:
                continue
            code, _, name = line.partition(" ")
            if not name.strip():
                raise forms.ValidationError(f"“{line}” needs a code and a name.")
            codes.append((code.strip(), name.strip()))
        return codes


def _objects(company: Company, *item_types: str):
    return ProcoreObject.objects.filter(company=company, item_type__in=item_types).order_by("id")


class ObjectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ProcoreObject) -> str:
        prefix = f"{obj.project.label} — " if obj.project_id and obj.item_type != "project" else ""
        return f"{prefix}{obj.label}"


class CommitmentForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("subcontract", "Subcontract"), ("purchase_order", "Purchase order")]
    )
    project = ObjectChoiceField(queryset=ProcoreObject.objects.none())
    vendor = ObjectChoiceField(queryset=ProcoreObject.objects.none())
    title = forms.CharField(max_length=200)
    number = forms.CharField(max_length=50, required=False)

    def __init__(self, *args, company: Company, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = _objects(company, "project")
        self.fields["vendor"].queryset = _objects(company, "vendor")


class CommitmentLineForm(forms.Form):
    cost_code = ObjectChoiceField(queryset=ProcoreObject.objects.none(), required=False)
    cost_type = ObjectChoiceField(queryset=ProcoreObject.objects.none(), required=False)
    amount = forms.DecimalField(required=False, max_digits=14, decimal_places=2)
    description = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, company: Company, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cost_code"].queryset = _objects(company, "cost_code").select_related("project")
        self.fields["cost_type"].queryset = _objects(company, "line_item_type")

    def clean(self) -> dict:
        data = super().clean()
        filled = data.get("amount") is not None
        if filled and not (data.get("cost_code") and data.get("cost_type")):
            raise forms.ValidationError("A line with an amount needs a cost code and a cost type.")
        return data


CommitmentLineFormSet = formset_factory(CommitmentLineForm, extra=3)


class ChangeOrderForm(forms.Form):
    commitment = ObjectChoiceField(queryset=ProcoreObject.objects.none())
    title = forms.CharField(max_length=200)
    number = forms.CharField(max_length=50, required=False)

    def __init__(self, *args, company: Company, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commitment"].queryset = _objects(company, *COMMITMENT_ITEM_TYPES)


class ChangeOrderLineField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ProcoreObject) -> str:
        return f"{obj.parent.label} — {obj.data.get('description')} ({obj.data.get('amount')})"


class ChangeOrderLineForm(forms.Form):
    commitment_line = ChangeOrderLineField(queryset=ProcoreObject.objects.none(), required=False)
    amount = forms.DecimalField(required=False, max_digits=14, decimal_places=2)
    description = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, company: Company, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commitment_line"].queryset = (
            ProcoreObject.objects.filter(
                company=company, item_type="line_item", parent__item_type__in=COMMITMENT_ITEM_TYPES
            )
            .select_related("parent")
            .order_by("parent_id", "id")
        )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("amount") is not None and not data.get("commitment_line"):
            raise forms.ValidationError(
                "A line with an amount needs the commitment line it changes."
            )
        return data


ChangeOrderLineFormSet = formset_factory(ChangeOrderLineForm, extra=3)


class RejectForm(forms.Form):
    reason = forms.CharField(max_length=500, required=False)


class SettingForm(forms.Form):
    name = forms.CharField(max_length=64)
    value = forms.CharField(max_length=64, required=False, help_text="Empty: back to default.")


def edit_form_for(obj: ProcoreObject, fields: tuple[str, ...], data=None) -> forms.Form:
    """A small form over the editable fields of one object type."""
    form = forms.Form(data=data, initial={name: obj.data.get(name) for name in fields})
    for name in fields:
        form.fields[name] = forms.CharField(
            max_length=200,
            required=name in {"name", "title"},
            label=name.replace("_", " ").capitalize(),
            disabled=obj.synced,
        )
    form.type_label = TYPE_LABELS.get(obj.item_type, obj.item_type)
    return form
