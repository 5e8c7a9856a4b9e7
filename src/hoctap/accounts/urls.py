from django.urls import path

from hoctap.accounts import password_views, token_views, two_factor_views

app_name = "accounts"
urlpatterns = [
    path("2fa/", two_factor_views.two_factor_setup, name="two_factor_setup"),
    path("2fa/verify/", two_factor_views.two_factor_verify, name="two_factor_verify"),
    path("tokens/", token_views.token_list_view, name="tokens"),
    path("tokens/<int:token_id>/revoke", token_views.token_revoke_view, name="token_revoke"),
    path("password/", password_views.password_change_view, name="password_change"),
    path("users/", password_views.user_list_view, name="users"),
    path(
        "users/<int:user_id>/password",
        password_views.password_reset_view,
        name="password_reset",
    ),
]
