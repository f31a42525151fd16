"""Root conftest: puts the repository on sys.path and registers the hypothesis profiles
(dev, ci, thorough) so that ``pytest --hypothesis-profile=ci`` works."""

import theorems.profiles  # noqa: F401  (registers the profiles on import)
