"""URLs of accounts."""

from django.contrib.auth import views as auth_views
from django.urls import path

from oreledger.accounts.views import people as views
from oreledger.accounts.views import signin as signin_views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", signin_views.second_factor, name="second_factor"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("me/second-factor/", signin_views.enrol, name="enrol"),
    path("me/recovery-codes/", signin_views.recovery_codes, name="recovery_codes"),
    path("me/sessions/", signin_views.sessions, name="sessions"),
    path("me/sessions/<int:pk>/end/", signin_views.session_end, name="session_end"),
    path("me/sessions/end-others/", signin_views.sessions_end_others, name="sessions_end_others"),
    path("sign-ins/", signin_views.SignInEventListView.as_view(), name="sign_in_list"),
    path("password-policy/", signin_views.password_policy, name="password_policy"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("me/", views.profile, name="profile"),
    path("me/tokens/", views.token_create, name="token_create"),
    path("me/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/<str:username>/", views.user_detail, name="user_detail"),
    path(
        "users/<str:username>/sessions/end/",
        signin_views.user_sessions_end,
        name="user_sessions_end",
    ),
    path(
        "users/<str:username>/second-factor/reset/",
        signin_views.user_second_factor_reset,
        name="user_second_factor_reset",
    ),
    path("regions/boundaries.geojson", views.region_boundaries, name="region_boundaries"),
]
