"""API shapes of accounts."""

from rest_framework import serializers

from oreledger.accounts.models import Region, User


class RegionSerializer(serializers.ModelSerializer[Region]):
    """A region by its GB/T 2260 code."""

    # "parent" is also an attribute of every DRF field; the API still calls it parent.
    parent = serializers.SlugRelatedField[Region](
        slug_field="code", read_only=True, allow_null=True
    )  # type: ignore[assignment]

    class Meta:
        model = Region
        fields = ["code", "name_zh", "name_en", "level", "parent", "uuid", "version"]


class UserSerializer(serializers.ModelSerializer[User]):
    """A person's account (never the password)."""

    region: serializers.SlugRelatedField[Region] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    department = serializers.SerializerMethodField()
    enterprise = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "username",
            "display_name",
            "role",
            "region",
            "department",
            "enterprise",
            "is_active",
            "last_login",
        ]

    def get_department(self, obj: User) -> str | None:
        """The department kind code, if any."""
        return obj.department.kind.code if obj.department_id and obj.department else None

    def get_enterprise(self, obj: User) -> str | None:
        """The enterprise's USCC, if any."""
        return obj.enterprise.uscc if obj.enterprise_id and obj.enterprise else None
