"""Count and time the SQL a block of code sends, with Django's execute wrapper.

Only statements the application sends through a cursor are seen (savepoints included);
BEGIN and COMMIT, which the driver issues itself, are not.
"""

import time
from contextlib import contextmanager

from django.db import connection


class Recorded(list):
    """[(sql, milliseconds), ...]"""

    @property
    def total_ms(self) -> float:
        return sum(ms for _, ms in self)


@contextmanager
def record():
    recorded = Recorded()

    def timed(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            recorded.append((sql, (time.perf_counter() - start) * 1000))

    with connection.execute_wrapper(timed):
        yield recorded
