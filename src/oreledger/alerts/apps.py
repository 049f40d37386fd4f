"""Alerts: early-warning rules, alerts with evidence, and enforcement cases (预警执法)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    """Every rule of the catalogue, raised once, followed to a decision."""

    name = "oreledger.alerts"
    label = "alerts"
    verbose_name = _("Alerts and enforcement")

    def ready(self) -> None:
        """Register policies, menu, dossier sections, rules and jobs."""
        # why: registrations run once the app registry is ready (these modules import models,
        # and this module is imported while the registry is being filled).
        from oreledger.alerts import dossier, jobs, menu, policies  # noqa: F401
        from oreledger.alerts.catalogue import RULES
        from oreledger.alerts.evidence import evidence_text, refs_text
        from oreledger.alerts.models import Alert
        from oreledger.alerts.scans import contract_below_floor
        from oreledger.alerts.sync_rules import TicketAlerts, alerts_ticket_rule
        from oreledger.core.display import register_field_text, register_terms
        from oreledger.trade.hooks import on_price_below_floor
        from oreledger.weighing.rules import register_ticket_rule, register_ticket_writer

        # price_below_floor is raised in the approval's own transaction.
        on_price_below_floor(contract_below_floor)
        register_ticket_rule(alerts_ticket_rule)
        register_ticket_writer(TicketAlerts)
        # Findings, alerts and exports name a rule by its name, never its code.
        register_terms("rule", {rule.code: rule.name for rule in RULES})
        register_terms("reference", {"seq": _("Seq")})
        # An alert's evidence and references read in the change history as on its page.
        register_field_text(Alert, "evidence", evidence_text)
        register_field_text(Alert, "refs", refs_text)
