"""Password change and "Forgot your password?", as the staff screens and the portal share them.

- ``CountedPasswordChangeView`` is the base of both password change screens (staff and portal):
  a wrong current password counts toward the log-in lock-out as a failed log-in would, and the
  session ends at the lock-out. Otherwise the form is a way to guess a password with no limit
  from an open session.
- "Forgot your password?" is limited in ``accounts.services.password_reset_request``.
"""

from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.contrib.auth import logout as end_session
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.shortcuts import render


class CountedPasswordChangeForm(PasswordChangeForm):
    """A wrong current password counts toward the log-in lock-out, as a failed log-in would."""

    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        try:
            return super().clean_old_password()
        except ValidationError:
            user_login_failed.send(
                sender=__name__,
                credentials={"username": self.user.email},
                request=self.request,
            )
            raise


class CountedPasswordChangeView(auth_views.PasswordChangeView):
    """Both password change screens; each names its template and where it goes after."""

    form_class = CountedPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if getattr(request, "axes_locked_out", False) or AxesProxyHandler.is_locked(
            request, {"username": request.user.email}
        ):
            # Locked out by wrong current passwords: the session ends, as a log-in would be
            # refused.
            end_session(request)
            return render(request, "accounts/locked_out.html", status=429)
        return response

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password was changed.")
        return response

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)
