from django.contrib.auth import get_user_model
from rest_framework import serializers

from kythuat.core.api.serializers import DomainModelSerializer
from kythuat.org.models import Membership, Person, Unit


class UnitSerializer(DomainModelSerializer):
    class Meta:
        model = Unit
        scope_field = "parent"  # a unit is placed in the tree by its parent
        fields = DomainModelSerializer.base_fields + (
            "code", "name", "short_name", "kind", "parent", "path", "depth", "sort_order", "valid_from",
            "valid_to", "successor", "notes")
        read_only_fields = ("path", "depth")

    def validate_parent(self, parent):
        from kythuat.core.scoping import scope_for

        request = self.context["request"]
        was_root = self.instance is not None and self.instance.parent_id is None
        if parent is None and not was_root and not scope_for(request.user).is_everything:
            raise serializers.ValidationError("Choose the parent unit.")
        return parent


class PersonSerializer(DomainModelSerializer):
    class Meta:
        model = Person
        fields = DomainModelSerializer.base_fields + (
            "full_name", "rank", "category", "position", "unit", "service_number", "birth_date", "phone", "notes")


class MembershipSerializer(DomainModelSerializer):
    user = serializers.SlugRelatedField(slug_field="username", queryset=get_user_model().objects.all())

    class Meta:
        model = Membership
        fields = DomainModelSerializer.base_fields + ("user", "unit", "role")

    def get_fields(self):
        from kythuat.org.users import manageable_users

        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["user"].queryset = manageable_users(request.user)
        return fields
