"""pandas for the staff reports that tabulate (round figures, theme results, the board).

``pandas()`` loads it the first time a report needs it. It is imported there rather than at the
top of each report's module on purpose: pandas costs about 60 MB and 1.2 s, and the processes
that never make a report (the survey pages, the SMS webhook, the send worker) should not pay
for it. Type annotations import it under ``TYPE_CHECKING`` only.
"""

from __future__ import annotations

from functools import cache
from types import ModuleType


@cache
def pandas() -> ModuleType:
    import pandas  # lazy on purpose (memory): see the module docstring

    return pandas
