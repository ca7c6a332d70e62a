from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def home(request):
    """The landing page after log-in: a greeting and the screens the user's roles open."""
    return render(request, "home.html")


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors here: the failure may lie in one of them.
    return HttpResponseServerError(loader.get_template("500.html").render())
