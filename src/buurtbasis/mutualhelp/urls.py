from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "mutualhelp"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("buurt/<str:code>/", views.neighbourhood, name="neighbourhood"),
    path("buurt/<str:code>/a4.pdf", views.print_sheet, name="print_sheet"),
    path("buurt/<str:code>/a6.pdf", views.print_card, name="print_card"),
    path("nieuw/", views.post_create, name="post_create"),
    path("nieuw/namens/", views.post_create_on_behalf, name="post_create_on_behalf"),
    path("oproep/<int:pk>/", views.post_detail, name="post_detail"),
    path("oproep/<int:pk>/reageren/", views.post_reply, name="post_reply"),
    path("oproep/<int:pk>/wie-kan-helpen/", views.post_matches, name="post_matches"),
    path(
        "oproep/<int:pk>/wie-kan-helpen/<int:user_pk>/",
        views.contact_candidate,
        name="contact_candidate",
    ),
    path("oproep/<int:pk>/status/", views.post_status, name="post_status"),
    path("oproep/<int:pk>/plek/", views.post_hide_location, name="post_hide_location"),
    path("oproep/<int:pk>/melden/", views.report_post, name="report_post"),
    path("berichten/", views.conversations, name="conversations"),
    path("gesprek/<int:pk>/", views.conversation, name="conversation"),
    path("gesprek/<int:pk>/contact/", views.conversation_contact, name="conversation_contact"),
    path("gesprek/<int:pk>/afspraak/", views.conversation_agree, name="conversation_agree"),
    path("gesprek/<int:pk>/bedanken/", views.conversation_thank, name="conversation_thank"),
    path("gesprek/<int:pk>/blokkeren/", views.conversation_block, name="conversation_block"),
    path("bericht/<int:pk>/melden/", views.report_message, name="report_message"),
    path("geblokkeerd/", views.blocks, name="blocks"),
    path("profiel/", views.profile, name="profile"),
    path("bloemetje/<int:pk>/naam/", views.bloemetje_name, name="bloemetje_name"),
    path("buurtwerk/", views.moderation, name="moderation"),
    path("buurtwerk/melding/<int:pk>/", views.report_decide, name="report_decide"),
    path("buurtwerk/bloemetje/<int:pk>/", views.award, name="award"),
    path("buurtwerk/helpers/", views.helpers, name="helpers"),
    path("afmelden/<str:token>/", views.digest_optout, name="digest_optout"),
]
