"""What the API answers: plain read-only representations, named as on the dashboard."""

from __future__ import annotations

from rest_framework import serializers

from integrations.models import (
    ApiToken,
    Company,
    ERPRequest,
    ERPRequestDetail,
    MetadataConfig,
    ObjectLink,
    SyncRun,
)


class CompanySerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField()

    class Meta:
        model = Company
        fields = ("id", "procore_company_id", "name", "role")

    def get_role(self, company: Company) -> str:
        return self.context.get("roles", {}).get(company.pk, "")


class SideHealthSerializer(serializers.Serializer):
    state = serializers.CharField()
    message = serializers.CharField()
    checked_at = serializers.DateTimeField(allow_null=True)


class CompanyHealthSerializer(serializers.Serializer):
    connected = serializers.BooleanField()
    provisioned_at = serializers.DateTimeField(allow_null=True)
    procore = SideHealthSerializer()
    erp = SideHealthSerializer()
    last_event_at = serializers.DateTimeField(allow_null=True)


class ERPRequestDetailSerializer(serializers.ModelSerializer):
    class Meta:
        model = ERPRequestDetail
        fields = (
            "procore_detail_id",
            "item_type",
            "item_id",
            "status",
            "messages",
            "closed_out_at",
        )


class ERPRequestSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = ERPRequest
        fields = (
            "id",
            "procore_request_id",
            "request_name",
            "state",
            "state_label",
            "attempts",
            "last_error",
            "next_attempt_at",
            "created_at",
            "completed_at",
        )


class ERPRequestFullSerializer(ERPRequestSerializer):
    details = ERPRequestDetailSerializer(many=True, read_only=True)

    class Meta(ERPRequestSerializer.Meta):
        fields = (*ERPRequestSerializer.Meta.fields, "details")


class SyncRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = SyncRun
        fields = (
            "id",
            "entity",
            "item_type",
            "trigger",
            "state",
            "listed",
            "created",
            "updated",
            "archived",
            "unchanged",
            "failed",
            "progress_done",
            "progress_total",
            "error",
            "pause_note",
            "created_at",
            "started_at",
            "finished_at",
        )


class SyncRunRequestSerializer(serializers.Serializer):
    entity = serializers.CharField(help_text="vendors, standard_cost_codes or standard_categories")


class ObjectLinkSerializer(serializers.ModelSerializer):
    class Meta:
        model = ObjectLink
        fields = (
            "id",
            "item_type",
            "origin_id",
            "origin_code",
            "procore_id",
            "state",
            "last_error",
            "created_at",
            "updated_at",
        )


class MetadataVersionSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    live_in_procore = serializers.SerializerMethodField()

    class Meta:
        model = MetadataConfig
        fields = ("version", "comment", "created_by", "created_at", "pushed_at", "live_in_procore")

    def get_live_in_procore(self, config: MetadataConfig) -> bool:
        return config.pk == self.context.get("in_procore_pk")


class MetadataVersionFullSerializer(MetadataVersionSerializer):
    class Meta(MetadataVersionSerializer.Meta):
        fields = (*MetadataVersionSerializer.Meta.fields, "document")


class PublishResultSerializer(serializers.Serializer):
    message = serializers.CharField()
    version = MetadataVersionSerializer()


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ("id", "name", "prefix", "created_at", "last_used_at", "revoked_at")


class ProblemSerializer(serializers.Serializer):
    detail = serializers.CharField()
