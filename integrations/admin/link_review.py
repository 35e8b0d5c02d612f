"""Link reviews: support matches what Procore holds already with the ERP's before a first import."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.html import format_html_join

from integrations.admin.base import CompanyLinkMixin
from integrations.models import LinkProposal, LinkReview
from integrations.procore import ProcoreError
from integrations.services.audit import audit_record
from integrations.services.link_review import (
    link_proposal_decide,
    link_review_accept_matches,
    link_review_apply,
)


class ProposalInline(admin.TabularInline):
    model = LinkProposal
    extra = 0
    can_delete = False
    fields = (
        "procore_id",
        "procore_code",
        "procore_name",
        "match",
        "origin_code",
        "erp_name",
        "decision",
        "error",
    )
    readonly_fields = fields
    show_change_link = True
    ordering = ("match", "procore_name")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LinkReview)
class LinkReviewAdmin(CompanyLinkMixin, admin.ModelAdmin):
    list_display = (
        "company",
        "entity",
        "state",
        "procore_records",
        "erp_records",
        "proposed",
        "built_at",
        "applied_at",
    )
    list_filter = ("state", "entity")
    list_select_related = ("company",)
    search_fields = ("company__name", "=company__procore_company_id")
    readonly_fields = (
        "company_link",
        "entity",
        "item_type",
        "state",
        "procore_records",
        "erp_records",
        "built_at",
        "applied_at",
        "note",
    )
    fields = readonly_fields
    inlines = (ProposalInline,)
    actions = ["accept_exact_matches", "link_accepted", "nothing_to_link"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Proposed (to decide)")
    def proposed(self, obj: LinkReview) -> int:
        return obj.proposals.filter(decision=LinkProposal.Decision.PROPOSED).count()

    @admin.action(description="Accept every exact match (same code, or same name)")
    def accept_exact_matches(self, request: HttpRequest, queryset) -> None:
        for review in queryset:
            count = link_review_accept_matches(review=review)
            audit_record(
                action="action",
                instance=review,
                actor=request.user,
                changes={"action": "accept exact matches", "accepted": count},
            )
            self.message_user(request, f"{review}: {count} accepted.", messages.SUCCESS)

    @admin.action(description="Link the accepted ones in Procore, and let the first import run")
    def link_accepted(self, request: HttpRequest, queryset) -> None:
        for review in queryset.select_related("company"):
            try:
                counts = link_review_apply(review=review)
            except ProcoreError as exc:
                self.message_user(request, f"{review}: Procore refused: {exc}", messages.ERROR)
                continue
            audit_record(
                action="action",
                instance=review,
                actor=request.user,
                changes={"action": "link accepted", **counts},
            )
            level = messages.SUCCESS if not counts["failed"] else messages.WARNING
            self.message_user(
                request,
                f"{review.company}: {counts['linked']} linked, {counts['failed']} refused "
                "(see each proposal). The next import updates the linked ones.",
                level,
            )

    @admin.action(description="Nothing to link: let the first import create everything")
    def nothing_to_link(self, request: HttpRequest, queryset) -> None:
        for review in queryset:
            LinkReview.objects.filter(pk=review.pk).update(
                state=LinkReview.State.NOTHING, note=f"Nothing linked, by {request.user}."
            )
            audit_record(
                action="action",
                instance=review,
                actor=request.user,
                changes={"action": "nothing to link"},
            )
        self.message_user(request, "The first imports may go ahead.", messages.SUCCESS)


class ProposalForm(forms.ModelForm):
    """Accept (choosing among the candidates when several ERP records fit) or reject."""

    choice = forms.ChoiceField(required=False, label="ERP record")
    verdict = forms.ChoiceField(
        choices=(("", "— leave as it is —"), ("accept", "Accept"), ("reject", "Reject")),
        required=False,
    )

    class Meta:
        model = LinkProposal
        fields: tuple = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        proposal = self.instance
        options = [
            (c["origin_id"], f"{c['code']} {c['name']}".strip()) for c in proposal.candidates
        ]
        if proposal.origin_id and proposal.origin_id not in dict(options):
            options.insert(0, (proposal.origin_id, f"{proposal.origin_code} {proposal.erp_name}"))
        self.fields["choice"].choices = [("", "—"), *options]
        self.initial["choice"] = proposal.origin_id


@admin.register(LinkProposal)
class LinkProposalAdmin(admin.ModelAdmin):
    form = ProposalForm
    list_display = (
        "procore_name",
        "procore_code",
        "match",
        "erp_name",
        "origin_code",
        "decision",
        "review",
    )
    list_filter = ("decision", "match", "review__entity")
    list_select_related = ("review__company",)
    search_fields = ("procore_name", "procore_code", "erp_name", "origin_code")
    readonly_fields = (
        "review",
        "procore_id",
        "procore_code",
        "procore_name",
        "match",
        "candidate_list",
        "origin_code",
        "erp_name",
        "decision",
        "error",
    )
    actions = ["accept", "reject"]

    def get_fields(self, request: HttpRequest, obj: LinkProposal | None = None) -> tuple:
        """The verdict and the choice are form fields: a view-only user sees the proposal alone."""
        if obj is not None and not self.has_change_permission(request, obj):
            return self.readonly_fields
        return (*self.readonly_fields, "choice", "verdict")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Candidates")
    def candidate_list(self, obj: LinkProposal) -> str:
        if not obj.candidates:
            return "—"
        return format_html_join("<br>", "{} {}", ((c["code"], c["name"]) for c in obj.candidates))

    def save_model(self, request: HttpRequest, obj: LinkProposal, form, change: bool) -> None:
        verdict = form.cleaned_data.get("verdict")
        if not verdict:
            return
        try:
            link_proposal_decide(
                proposal=obj,
                accept=verdict == "accept",
                origin_id=form.cleaned_data.get("choice") or None,
            )
        except ValueError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        audit_record(
            action="action",
            instance=obj,
            actor=request.user,
            changes={"action": verdict, "origin_id": obj.origin_id},
        )

    @admin.action(description="Accept")
    def accept(self, request: HttpRequest, queryset) -> None:
        self._decide(request, queryset, accept=True)

    @admin.action(description="Reject (keep them apart)")
    def reject(self, request: HttpRequest, queryset) -> None:
        self._decide(request, queryset, accept=False)

    def _decide(self, request: HttpRequest, queryset, *, accept: bool) -> None:
        done = 0
        for proposal in queryset:
            try:
                link_proposal_decide(proposal=proposal, accept=accept)
            except ValueError as exc:
                self.message_user(request, f"{proposal}: {exc}", messages.WARNING)
                continue
            done += 1
        self.message_user(request, f"{done} proposal(s) decided.", messages.SUCCESS)
