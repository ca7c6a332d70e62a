"""Mixins shared by the views of every app."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect

from core.concurrency import VersionConflict, VersionedFormMixin, claim_version, keep_input


class FormPageMixin:
    """Bad input answers 400 with the form and its messages; a save says so and redirects."""

    success_message = ""

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form):
        try:
            with transaction.atomic():
                self.object = self.save(form)
        except VersionConflict as conflict:
            # Someone saved the row after this screen was opened: keep this user's input,
            # bound to the version now saved, and say what differs (409).
            keep_input(form, conflict)
            return self.render_to_response(self.get_context_data(form=form), status=409)
        except ValidationError as error:
            # A rule the service keeps (the clinic's last administrator, ...): say it on the form.
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
            return self.form_invalid(form)
        except IntegrityError:
            # Another request saved the same name between our check and our write: the
            # database constraint caught it; say so as the form check would have.
            form.add_error(
                "name" if "name" in form.fields else None,
                "This was saved by someone else a moment ago: it already exists.",
            )
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message.format(object=self.object))
        return HttpResponseRedirect(self.get_success_url())

    def save(self, form):
        """A plain ModelForm save; an edit of a versioned row first claims the version the
        screen showed. A view whose service claims it overrides this."""
        if isinstance(form, VersionedFormMixin) and form.instance.pk:
            claim_version(form.instance, form.cleaned_data.get("version"))
        return form.save()
