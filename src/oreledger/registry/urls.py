"""URLs of the registry."""

from django.urls import path

from oreledger.registry.views import enterprises, lists, overview, records

app_name = "registry"
urlpatterns = [
    path("enterprises/", lists.EnterpriseListView.as_view(), name="enterprise_list"),
    path("enterprises/new/", enterprises.enterprise_create, name="enterprise_create"),
    path("enterprises/<str:uscc>/", enterprises.enterprise_detail, name="enterprise_detail"),
    path("enterprises/<str:uscc>/edit/", enterprises.enterprise_edit, name="enterprise_edit"),
    path("enterprises/<str:uscc>/status/", enterprises.enterprise_status, name="enterprise_status"),
    path("sites/", lists.SiteListView.as_view(), name="site_list"),
    path("sites/new/", records.site_create, name="site_create"),
    path("sites/<str:code>/", records.site_detail, name="site_detail"),
    path("sites/<str:code>/edit/", records.site_edit, name="site_edit"),
    path("sites/<str:code>/status/", records.site_status, name="site_status"),
    path("stations/", lists.StationListView.as_view(), name="station_list"),
    path("stations/new/", records.station_create, name="station_create"),
    path("stations/<str:code>/", records.station_detail, name="station_detail"),
    path("stations/<str:code>/edit/", records.station_edit, name="station_edit"),
    path("stations/<str:code>/rotate/", records.station_rotate, name="station_rotate"),
    path("stations/<str:code>/disable/", records.station_disable, name="station_disable"),
    path("vehicles/", lists.VehicleListView.as_view(), name="vehicle_list"),
    path("vehicles/new/", records.vehicle_create, name="vehicle_create"),
    path("vehicles/<str:plate>/", records.vehicle_detail, name="vehicle_detail"),
    path("vehicles/<str:plate>/edit/", records.vehicle_edit, name="vehicle_edit"),
    path("vehicles/<str:plate>/blacklist/", records.vehicle_blacklist, name="vehicle_blacklist"),
    path("permits/", lists.PermitListView.as_view(), name="permit_list"),
    path("permits/new/", records.permit_create, name="permit_create"),
    path("permits/<str:number>/", records.permit_detail, name="permit_detail"),
    path("permits/<str:number>/edit/", records.permit_edit, name="permit_edit"),
    path("permits/<str:number>/status/", records.permit_status, name="permit_status"),
    path("permit-types/", overview.permit_types, name="permit_types"),
    path("permit-types/new/", overview.permit_type_create, name="permit_type_create"),
    path("permit-types/<str:code>/edit/", overview.permit_type_edit, name="permit_type_edit"),
    path("requirements/", overview.requirement_create, name="requirement_create"),
    path("requirements/<int:pk>/delete/", overview.requirement_delete, name="requirement_delete"),
    path("procedures/", overview.procedures, name="procedures"),
    path("map/", overview.map_view, name="map"),
]
