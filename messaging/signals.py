"""Gathering scheduling's ``appointment_changed`` per transaction, sent once it commits."""

from django.db import transaction
from django.dispatch import receiver

from scheduling.signals import appointment_changed


class _Batch:
    def __init__(self):
        self.changes = []
        self.flushed = False

    def flush(self):
        from messaging.services.notices import notices_send_unscoped

        self.flushed = True
        changes, self.changes = self.changes, []
        notices_send_unscoped(changes)


def _current_batch(connection) -> _Batch:
    """The batch whose flush is registered on this transaction's commit; a new one when the
    last batch was flushed or dropped with a rollback."""
    batch = getattr(connection, "_messaging_notices", None)
    if (
        batch is None
        or batch.flushed
        or not any(entry[1] == batch.flush for entry in connection.run_on_commit)
    ):
        batch = _Batch()
        connection._messaging_notices = batch
        transaction.on_commit(batch.flush)
    return batch


@receiver(appointment_changed, dispatch_uid="messaging_collect_changes")
def collect(sender, appointment, change: str, requested: bool = False, **kwargs) -> None:
    if requested:
        return  # the family asked for it: the answer to their request tells them
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        batch = _Batch()
        batch.changes.append((appointment.clinic_id, appointment.pk, change))
        batch.flush()
        return
    _current_batch(connection).changes.append((appointment.clinic_id, appointment.pk, change))
