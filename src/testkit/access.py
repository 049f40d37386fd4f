"""Issue 22's role × endpoint matrix: what every role gets from every route and method.

The endpoints are enumerated from the URL configuration and the OpenAPI document: every
named route, each method it offers (the OpenAPI document's methods for the API; GET and POST
for a page), the HTMX partial of a view that answers one, and the `?export=` files. Each
endpoint is answered by a *policy* (testkit/access_policies.py) that names the status of
every column of testkit/jurisdictions.py. A route without a policy fails the build.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from testkit.sweep import Route, all_routes

PAGE_METHODS = ("GET", "POST")
API_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# The station protocol is signed by a station and documented in docs/specs/station-protocol.md,
# not in the OpenAPI document of the token API.
STATION_ROUTES = frozenset(
    {"api:weighing:station_tickets", "api:weighing:station_heartbeat",
     "api:weighing:station_waybill"}
)  # fmt: skip
# Routes outside the OpenAPI document on purpose: the document itself, its viewer, and the
# federation's node-to-node calls (signed by a node: docs/specs/federation-protocol.md).
UNDOCUMENTED = frozenset(
    {"schema", "api-docs", "api:federation:federation_changes",
     "api:federation:federation_heartbeat", "api:federation:federation_reference",
     "api:federation:federation_nodes"}
)  # fmt: skip

# Routes that dispatch on a kwarg: each value is its own endpoint (the label is the kwarg
# values joined by "/", as core/tests/test_access_matrix.py fills them in).
VARIANTS: dict[str, tuple[str, ...]] = {
    "quotas:change_decide": ("approve", "reject"),
    "trade:contract_action": ("submit", "approve", "return", "terminate", "complete"),
    "alerts:alert_action": ("acknowledge", "investigate", "assign", "resolve", "escalate"),
    "alerts:case_action": ("note", "decide", "close", "publish"),
    "appeals:appeal_action": ("route", "answer", "solve", "reclassify", "decide", "override",
                              "visit", "confirm"),
    "inspections:order_action": ("answer", "sign"),
    "inspections:dashboard": ("town", "department"),
    "inspections:dashboard_drill": ("town", "department/ecology_environment"),
    "assessment:records": ("tasks_on_time",),
    "public:download": ("csv", "xlsx"),
}  # fmt: skip


@dataclass(frozen=True)
class Endpoint:
    """One row of the matrix: a route, a method and a flavour ("", "htmx" or "export")."""

    route: str
    pattern: str
    method: str
    flavour: str = ""
    # For routes that dispatch on a kwarg (an action name), which one.
    variant: str = ""

    @property
    def api(self) -> bool:
        """Sent with an API token rather than a session."""
        return self.route.startswith("api:")

    @property
    def label(self) -> str:
        """How the matrix names the row: `METHOD route[variant] flavour`."""
        variant = f"[{self.variant}]" if self.variant else ""
        flavour = f" {self.flavour}" if self.flavour else ""
        return f"{self.method} {self.route}{variant}{flavour}"


def openapi_path(pattern: str) -> str:
    """The OpenAPI path of a URL pattern (`^sites/(?P<code>[^/]+)/$` → `/sites/{code}/`)."""
    path = pattern.replace("^", "").replace("$", "")
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", path)
    path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)
    return "/" + path


@cache
def openapi_document() -> dict[str, Any]:
    """The project's OpenAPI document, as /api/schema/ serves it."""
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def documented_operations(route: Route) -> dict[str, Any]:
    """The OpenAPI operations of the route's path (empty if it is not there).

    drf-spectacular names a `pk` kwarg `{id}`, and documents a router's trailing-slash
    twin (the same view, for clients that add the slash) under the other spelling only.
    """
    paths = openapi_document()["paths"]
    path = openapi_path(route.pattern).replace("{pk}", "{id}")
    twin = path[:-1] if path.endswith("/") else path + "/"
    return cast(dict[str, Any], paths.get(path) or paths.get(twin) or {})


def documented_methods(route: Route) -> tuple[str, ...]:
    """The methods the OpenAPI document gives the route."""
    operations = documented_operations(route)
    return tuple(m.upper() for m in API_METHODS if m.lower() in operations)


def _exports(route: Route) -> tuple[str, ...]:
    """The export formats a route answers: from the OpenAPI `export` parameter for the API,
    from the view's module reading `?export=` for a page."""
    if route.api:
        operation = documented_operations(route).get("get")
        for parameter in (operation or {}).get("parameters", ()):
            if parameter.get("name") == "export":
                return tuple(parameter.get("schema", {}).get("enum", ("csv", "xlsx")))
        return ()
    return ("xlsx",) if 'GET.get("export")' in _module_source(route) else ()


def _answers_htmx(route: Route) -> bool:
    return not route.api and "HX-Request" in _module_source(route)


def _module_source(route: Route) -> str:
    """The source of the route's view (its class, or its function unwrapped)."""
    callback = inspect.unwrap(route.callback)
    target = getattr(callback, "view_class", callback)
    try:
        source = inspect.getsource(target)
    except (OSError, TypeError):
        return ""
    # A list view reads `?export=` and `HX-Request` through its base class (core.listing).
    if any(base.__name__ == "ScopedListView" for base in getattr(target, "__mro__", ())):
        source += '\nGET.get("export")'
    return source


def methods(route: Route) -> tuple[str, ...]:
    """The methods of a route the matrix sends."""
    if route.name in STATION_ROUTES or route.name in UNDOCUMENTED or not route.api:
        return PAGE_METHODS
    return documented_methods(route)


def endpoints() -> Iterator[Endpoint]:
    """Every row of the matrix, in URL-configuration order."""
    for route in all_routes():
        for variant in VARIANTS.get(route.name, ("",)):
            for method in methods(route):
                yield Endpoint(route.name, route.pattern, method, variant=variant)
            if _answers_htmx(route):
                yield Endpoint(route.name, route.pattern, "GET", "htmx", variant)
            for fmt in _exports(route):
                yield Endpoint(route.name, route.pattern, "GET", f"export={fmt}", variant)


# --- what each column should get ----------------------------------------------------------

# The columns outside the record's jurisdiction, and those that are not a signed-in person.
OUTSIDE = frozenset(
    {"county_out", "department_out", "mine_out", "plant_out", "haulier_out", "station_out"}
)
UNSIGNED = frozenset({"station_in", "station_out", "anonymous"})
# Anyone may read these: the public portal, the sign-in page, the language switch, the API's
# own document and viewer.
PUBLIC = frozenset(
    {"public:index", "public:table", "public:download", "api:public:public-tables",
     "api:public:public-table", "accounts:login", "set_language", "schema", "api-docs"}
)  # fmt: skip
# Routes whose kwarg names a row of the whole province, readable outside the county that
# happens to hold it: configuration and catalogues, and the province's market (every plant
# may see and bid on every mine's listing).
PROVINCE_WIDE = frozenset(
    {"registry:permit_type_edit", "registry:requirement_delete", "grading:standard_detail",
     "api:grading:grading-standard-detail", "api:trade:floor-price-detail",
     "alerts:rule_detail", "api:worklist:group-detail", "api:assessment:scheme-detail",
     "assessment:scheme_edit", "assessment:ranking", "api:assessment:ranking",
     "trade:listing_detail", "api:trade:listing-detail"}
)  # fmt: skip


def endpoint_key(endpoint: Endpoint) -> str:
    """The endpoint's key inside its route's entry of ACCESS: `METHOD[variant] flavour`."""
    variant = f"[{endpoint.variant}]" if endpoint.variant else ""
    flavour = f" {endpoint.flavour}" if endpoint.flavour else ""
    return f"{endpoint.method}{variant}{flavour}"


def policy_of(endpoint: Endpoint) -> str:
    """The policy name (or the inline row of statuses) that answers the endpoint."""
    from testkit.access_policies import ACCESS

    entry = ACCESS[endpoint.route]
    if isinstance(entry, str):
        return entry
    key = endpoint_key(endpoint)
    for candidate in (key, key.split("[")[0] + key[len(key.split(" ")[0]) :], "*"):
        if candidate in entry:
            return entry[candidate]
    raise KeyError(f"{endpoint.label} has no policy")


def statuses(endpoint: Endpoint) -> dict[str, int]:
    """The expected status of every column, by its key."""
    from testkit.access_policies import POLICIES
    from testkit.jurisdictions import KEYS

    row = policy_of(endpoint)
    cells = (POLICIES[row].statuses if row in POLICIES else row).replace("|", " ").split()
    assert len(cells) == len(KEYS), f"{endpoint.label}: {row!r} does not name every column"
    # "L" is the sign-in refusal: the login page for a page, 401 for the token API.
    sign_in = 401 if endpoint.api else 302
    return {
        key: sign_in if cell == "L" else int(cell) for key, cell in zip(KEYS, cells, strict=True)
    }


def expected_status(endpoint: Endpoint, column: str) -> int:
    """The status the column's persona must get from the endpoint."""
    return statuses(endpoint)[column]


def unlisted_routes(names: set[str]) -> list[str]:
    """Routes of the URL configuration without an entry in ACCESS (and stale entries)."""
    from testkit.access_policies import ACCESS

    return sorted((names - set(ACCESS)) | {f"stale: {n}" for n in set(ACCESS) - names})


def leak(endpoint: Endpoint, column: str, status: int, wrote: bool) -> bool:
    """Whether the answer lets someone past their jurisdiction, independent of the table.

    An outsider reads or writes a record of another county, department or enterprise (their
    own token or notifications are theirs to change); a station or a visitor reads or
    writes anything but through the public pages and the station protocol.
    """
    success = 200 <= status < 300
    record = "<" in endpoint.pattern and endpoint.route not in PROVINCE_WIDE | PUBLIC
    # A station writes through its protocol (a heartbeat, a ticket), a visitor signs in.
    own_channel = endpoint.route in PUBLIC or (
        column in ("station_in", "station_out") and endpoint.route in STATION_ROUTES
    )
    if wrote and ((column in OUTSIDE and record) or (column in UNSIGNED and not own_channel)):
        return True
    if column in OUTSIDE and record and endpoint.method == "GET" and success:
        return True
    if column in UNSIGNED and success:
        return endpoint.route not in PUBLIC | STATION_ROUTES
    return False
