"""The calendar feed: the staff member's page to turn it on, regenerate or off, and the feed
itself (no log-in: the unguessable token is the key; wrong, old or unknown is a 404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django_scopes import scope, scopes_disabled

from core.permissions import role_required
from messaging.access import FEED_ROLES
from messaging.feeds import feed_calendar, feed_turn_off, feed_turn_on
from messaging.models import FEED_TOKEN_LENGTH, CalendarFeed, ReminderSettings


@role_required(*FEED_ROLES)
def feed_settings(request):
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "on":
            feed_turn_on(user=request.user)
            messages.success(
                request, "Your calendar address is ready. Add it to your calendar app."
            )
        elif action == "off":
            feed_turn_off(user=request.user)
            messages.success(request, "Your calendar address is turned off; it no longer works.")
        else:
            messages.error(
                request, "Choose to turn the address on, make a new one, or turn it off."
            )
            return render(request, "messaging/feed_settings.html", _context(request), status=400)
        return redirect("messaging:feed_settings")
    return render(request, "messaging/feed_settings.html", _context(request))


def _context(request) -> dict:
    feed = CalendarFeed.objects.filter(clinic_id=request.user.clinic_id, user=request.user).first()
    url = (
        request.build_absolute_uri(
            reverse("messaging:feed", kwargs={"clinic": feed.clinic_id, "token": feed.token})
        )
        if feed
        else ""
    )
    names = ReminderSettings.of(request.user.clinic_id).feed_shows_names
    return {"feed": feed, "url": url, "names": names}


@login_not_required
@require_GET
def feed(request, clinic: int, token: str):
    if len(token) != FEED_TOKEN_LENGTH:
        raise Http404
    with scopes_disabled():
        row = (
            CalendarFeed.objects.select_related("user")
            .filter(clinic_id=clinic, token=token)
            .first()
        )
    if row is None or not row.user.is_active or row.user.clinic_id != row.clinic_id:
        raise Http404
    with scope(clinic=row.clinic_id):
        body = feed_calendar(row)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
