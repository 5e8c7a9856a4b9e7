"""The `hoctap` command: Django's management commands under the project's name."""

import os
import sys


def main() -> None:
    """Run a management command, e.g. `hoctap demo` or `hoctap serve`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hoctap.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["hoctap", *sys.argv[1:]])


if __name__ == "__main__":
    main()
