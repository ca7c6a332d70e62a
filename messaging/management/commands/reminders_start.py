from django.core.management.base import BaseCommand

from messaging.tasks import clock_start


class Command(BaseCommand):
    help = "Start the reminder clock (a self-renewing task the worker runs); safe to repeat."

    def handle(self, *args, **options):
        started = clock_start()
        self.stdout.write("Reminder clock started." if started else "Reminder clock running.")
