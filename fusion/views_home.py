from django.shortcuts import redirect, render
from django.template import loader
from django.http import HttpResponseServerError

from fusion.navigation import navigation


def home(request):
    """Send each user to the first tab their roles allow, or a plain welcome page."""
    tabs = navigation(request)["nav_tabs"]
    if tabs:
        return redirect(tabs[0]["url"])
    return render(request, "home.html")


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors here: the failure may lie in one of them.
    return HttpResponseServerError(loader.get_template("500.html").render())
