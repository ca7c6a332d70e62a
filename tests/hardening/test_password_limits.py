"""Issue 26: the portal's password change counts wrong current passwords as the staff one does
(item 11), and "Forgot your password?" is limited per client address and per e-mail address
(item 5)."""

from django.test import Client
from django.urls import reverse

PASSWORD = "correct-horse-battery-9"  # the factories' password
LOGIN_URL = reverse("accounts:login")


def _log_in(client, email, password, address="10.0.0.1"):
    return client.post(LOGIN_URL, {"username": email, "password": password}, REMOTE_ADDR=address)


def test_wrong_current_passwords_on_the_portal_count_toward_the_lock_out(patient_user):
    client = Client()
    assert _log_in(client, patient_user.email, PASSWORD).status_code == 302
    url = reverse("portal:password_change")
    wrong = {
        "old_password": "guess",
        "new_password1": "Willow-88-x",
        "new_password2": "Willow-88-x",
    }

    statuses = [client.post(url, wrong, REMOTE_ADDR="10.0.0.1").status_code for _ in range(5)]
    right = client.post(url, {**wrong, "old_password": PASSWORD}, REMOTE_ADDR="10.0.0.1")

    assert statuses == [400] * 4 + [429]
    assert "_auth_user_id" not in client.session
    assert right.status_code == 302 and right["Location"].startswith(LOGIN_URL)
    patient_user.refresh_from_db()
    assert patient_user.check_password(PASSWORD)
    assert _log_in(Client(), patient_user.email, PASSWORD).status_code == 429
