"""The web container's health check: GET /login/ from inside the container as a request
through the proxy would arrive (an allowed Host, HTTPS said by X-Forwarded-Proto), so that
neither DJANGO_ALLOWED_HOSTS without 127.0.0.1 nor DJANGO_SECURE's HTTPS redirect makes a
healthy server look unhealthy. Exit 0 when it answers 200."""

import os
import sys
import urllib.request


def host(allowed: str) -> str:
    """A Host header DJANGO_ALLOWED_HOSTS accepts: its first entry (".example.org" matches
    example.org itself; "*" anything)."""
    first = next((h.strip() for h in allowed.split(",") if h.strip()), "localhost")
    if first == "*":
        return "localhost"
    return first.lstrip(".")


def main() -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/login/",
        headers={
            "Host": host(os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")),
            "X-Forwarded-Proto": "https",
        },
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - fixed URL
        return 0 if response.status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
