#!/usr/bin/env python
"""Django's manage.py, kept for habit; `hoctap` is the same command."""

from hoctap.__main__ import main

if __name__ == "__main__":
    main()
