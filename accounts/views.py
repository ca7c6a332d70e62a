from typing import NamedTuple

from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, ListView, UpdateView

from accounts import services
from accounts.access import get_staff_member_for, staff_for
from accounts.forms import PasswordResetRequestForm, StaffCreateForm, StaffForm
from accounts.models import User
from accounts.passwords import CountedPasswordChangeView
from core.links import link
from core.permissions import RoleRequiredMixin, role_required
from core.roles import ADMINISTRATOR, PATIENT, STAFF_ROLES, role_names
from core.sql import read_json_list
from core.views import FormPageMixin


class EmailAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": (
            "Please enter a correct e-mail address and password. "
            "Note that the password is case-sensitive."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "E-mail"
        self.fields["username"].widget.attrs["autocomplete"] = "email"

    def clean_username(self):
        # Addresses are stored lower-case (and unique ignoring case), so "Ada@Clinic.org" must
        # find the same account; it also makes the lock-out count every spelling as one.
        username = self.cleaned_data["username"].lower()
        # Bounded before anything sees it: the lock-out store holds at most 255 characters,
        # and no account has an address longer than the e-mail field's 254.
        if len(username) > User._meta.get_field("email").max_length:
            raise ValidationError(
                "That is longer than any e-mail address can be: check it and try again."
            )
        return username

    def clean(self):
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if email is not None and password:
            # Django's backends read ``username``; django-axes counts failures under the user
            # model's USERNAME_FIELD (``email``). Given only ``username`` it recorded every
            # failure without an address, and the lock-out never refused the right password.
            self.user_cache = authenticate(
                self.request, username=email, email=email, password=password
            )
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_success_url(self):
        # A portal user (a patient or their family) has no staff screen: they land on the
        # portal, whatever ``next`` says (a visit to "/" asks them to log in with next=/).
        # Someone with a staff role too goes where they were going, as before.
        url = super().get_success_url()
        roles = role_names(self.request.user)
        portal_home = reverse("portal:home")
        if PATIENT in roles and not roles.intersection(STAFF_ROLES):
            return url if url.startswith(portal_home) else portal_home
        return url


class PasswordResetView(auth_views.PasswordResetView):
    """ "Forgot your password?": the same answer whether or not the address has an account."""

    template_name = "accounts/password_reset_form.html"
    form_class = PasswordResetRequestForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        try:
            services.password_reset_request(
                email=form.cleaned_data["email"],
                base_url=self.request.build_absolute_uri("/"),
                client_address=get_client_ip_address(self.request),
            )
        except services.TooManyResetRequests as error:
            form.add_error(None, error)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class SetPasswordFromLinkView(auth_views.PasswordResetConfirmView):
    """The page a one-time link opens, for a reset or an invitation. A link that was used,
    has expired or was tampered with is refused with status 400 and says what to do."""

    template_name = "accounts/password_set.html"
    success_url = reverse_lazy("accounts:login")
    via = "reset"

    def get_context_data(self, **kwargs):
        return super().get_context_data(invitation=self.via == "invitation", **kwargs)

    def render_to_response(self, context, **response_kwargs):
        if not context.get("validlink"):
            response_kwargs["status"] = 400
        return super().render_to_response(context, **response_kwargs)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form):
        services.password_set(
            user=self.user, password=form.cleaned_data["new_password1"], via=self.via
        )
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        messages.success(
            self.request, "Your password is set. Log in with your e-mail address and it."
        )
        return HttpResponseRedirect(self.get_success_url())


class PasswordChangeView(RoleRequiredMixin, CountedPasswordChangeView):
    # A staff screen: portal users change their password in the portal.
    required_roles = STAFF_ROLES
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")


class StaffMixin(RoleRequiredMixin):
    """Staff members are loaded only through ``accounts.access``."""

    model = User
    required_roles = (ADMINISTRATOR,)
    template_name = "accounts/staff_form.html"

    def get_queryset(self):
        return staff_for(self.request.user)

    def get_object(self, queryset=None):
        return get_staff_member_for(self.request.user, self.kwargs["pk"], write=True)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "clinic": self.request.user.clinic}

    def get_success_url(self):
        return reverse("accounts:staff_list")


class StaffListView(StaffMixin, ListView):
    template_name = "accounts/staff_list.html"
    paginate_by = 50
    context_object_name = "staff"

    def get_queryset(self):
        # The columns the rows show, roles and service types as names in the same query (not
        # a group and a service type object per row, nor a query per relation).
        queryset = (
            User.objects.for_clinic(self.request.user.clinic)
            .staff()
            .with_role_names()
            .with_service_names()
            .only("pk", "first_name", "last_name", "email", "is_active")
        )
        if self.request.GET.get("show") != "all":
            queryset = queryset.filter(is_active=True)
        return queryset.order_by("last_name", "first_name", "email")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = [_staff_row(member) for member in context["staff"]]
        return context


class StaffRow(NamedTuple):
    url: str
    name: str
    email: str
    roles: str
    services: str
    is_active: bool


def _names(json_text) -> str:
    return ", ".join(sorted(read_json_list(json_text), key=str.lower))


def _staff_row(member) -> StaffRow:
    """A row as the list shows it: plain values, the names sorted and joined."""
    return StaffRow(
        url=link("accounts:staff_update", member.pk),
        name=member.get_full_name() or member.email,
        email=member.email,
        roles=_names(member.role_names_json),
        services=_names(member.service_names_json),
        is_active=member.is_active,
    )


class StaffCreateView(StaffMixin, FormPageMixin, CreateView):
    form_class = StaffCreateForm
    success_message = "Staff member {object} added. An invitation to set a password was e-mailed."

    def save(self, form):
        data = form.cleaned_data
        return services.staff_create(
            clinic=self.request.user.clinic,
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            credentials=data["credentials"],
            roles=data["roles"],
            service_types=data["service_types"],
            by=self.request.user,
            base_url=self.request.build_absolute_uri("/"),
        )


class StaffUpdateView(StaffMixin, FormPageMixin, UpdateView):
    form_class = StaffForm
    success_message = "Staff member {object} saved."
    context_object_name = "staff_member"

    def save(self, form):
        data = form.cleaned_data
        return services.staff_update(
            user=self.object,
            expected_version=data["version"],
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            credentials=data["credentials"],
            roles=data["roles"],
            service_types=data["service_types"],
            by=self.request.user,
        )


@role_required(ADMINISTRATOR)
def staff_set_active(request, pk, active):
    """GET asks for confirmation; POST deactivates or reactivates."""
    staff_member = get_staff_member_for(request.user, pk, write=True)
    context = {"staff_member": staff_member, "active": active}
    if request.method == "POST":
        try:
            services.staff_set_active(user=staff_member, active=active, by=request.user)
        except ValidationError as error:
            context["error"] = error.messages[0]
            return render(request, "accounts/staff_set_active.html", context, status=400)
        verb = "reactivated" if active else "deactivated"
        messages.success(request, f"{staff_member} {verb}.")
        return redirect("accounts:staff_update", pk=staff_member.pk)
    return render(request, "accounts/staff_set_active.html", context)


login = LoginView.as_view()
logout = require_POST(auth_views.LogoutView.as_view())
password_change = PasswordChangeView.as_view()
password_reset = PasswordResetView.as_view()
password_reset_done = PasswordResetDoneView.as_view()
password_reset_confirm = SetPasswordFromLinkView.as_view()
invitation_accept = SetPasswordFromLinkView.as_view(
    via="invitation", template_name="accounts/password_set.html"
)
staff_list = StaffListView.as_view()
staff_create = StaffCreateView.as_view()
staff_update = StaffUpdateView.as_view()
