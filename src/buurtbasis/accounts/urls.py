from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("inloggen/", views.login_view, name="login"),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path("inloglink/", views.link_request, name="link_request"),
    path("inloglink/verstuurd/", views.link_sent, name="link_sent"),
    path("inloglink/gebruiken/", views.link_login, name="link_login"),
    path("aanmelden/", views.register, name="register"),
    path("aanmelden/verstuurd/", views.register_done, name="register_done"),
    path("profiel/", views.profile, name="profile"),
    path("wachtwoord/", views.password, name="password"),
    path("toestemmingen/", views.consents, name="consents"),
    path("mijn-gegevens/", views.my_data, name="my_data"),
    path("verwijderen/", views.delete, name="delete"),
    path("hulp/", views.assisted, name="assisted"),
    path("hulp/nieuw/", views.assisted_new, name="assisted_new"),
    path("hulp/<int:pk>/", views.assisted_detail, name="assisted_detail"),
    path("hulp/<int:pk>/wijzigen/", views.assisted_edit, name="assisted_edit"),
    path("hulp/<int:pk>/verwijderen/", views.assisted_delete, name="assisted_delete"),
    path("hulp/<int:pk>/overnamecode/", views.takeover_code, name="takeover_code"),
    path("bewoners-bevestigen/", views.verify_residents, name="verify_residents"),
    path("overnemen/", views.takeover, name="takeover"),
    path("audit/", views.audit_log, name="audit"),
    path("rollen/", views.roles, name="roles"),
    path("rollen/<str:code>/", views.roles_area, name="roles_area"),
    path("rollen/<str:code>/<int:pk>/beeindigen/", views.role_end, name="role_end"),
]
