from django.conf import settings

from volunteer_site.tasks import ping


def check_broker(timeout: float = 3.0) -> str:
    """Send the ping task through the broker and wait for a worker's answer."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    try:
        answer = ping.apply_async(expires=timeout).get(timeout=timeout)
    except Exception as exc:  # broker down, no worker, timeout...
        return f"error: {exc.__class__.__name__}"
    return "ok" if answer == "pong" else f"error: unexpected answer {answer!r}"
