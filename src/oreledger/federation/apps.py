"""Federation: county nodes and the provincial hub stay one system over links that fail."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    """The outbox of every federated change, its push to the hub, and the hub's node table."""

    name = "oreledger.federation"
    label = "federation"
    verbose_name = _("Federation")

    def ready(self) -> None:
        """Hook the outbox into the audit path and the ticket path; register jobs and policies."""
        from oreledger.alerts.engine import register_raised_elsewhere
        from oreledger.core.audit import register_change_listener
        from oreledger.federation import jobs, menu, policies  # noqa: F401
        from oreledger.federation.services.hub import node_regions
        from oreledger.federation.services.outbox import TicketOutbox, write_changes
        from oreledger.federation.services.readonly import guard_received_records
        from oreledger.weighing.rules import register_ticket_writer

        register_raised_elsewhere(node_regions)
        register_change_listener(write_changes)
        register_ticket_writer(TicketOutbox)
        guard_received_records()
