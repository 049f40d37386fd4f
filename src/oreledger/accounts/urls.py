"""URLs of accounts."""

from django.contrib.auth import views as auth_views
from django.urls import path

from oreledger.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("me/", views.profile, name="profile"),
    path("me/tokens/", views.token_create, name="token_create"),
    path("me/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/<str:username>/", views.user_detail, name="user_detail"),
    path("regions/boundaries.geojson", views.region_boundaries, name="region_boundaries"),
]
