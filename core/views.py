"""Mixins shared by the views of every app."""

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect


class FormPageMixin:
    """Bad input answers 400 with the form and its messages; a save says so and redirects."""

    success_message = ""

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form):
        try:
            with transaction.atomic():
                self.object = self.save(form)
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
        return form.save()
