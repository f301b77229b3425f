"""Who is acting and in which request: read by the audit log, set by middleware and commands."""

import uuid
from contextlib import contextmanager
from contextvars import ContextVar


class ActionContext:
    def __init__(self, *, user=None, request=None, request_id=None, source="system", address=None):
        self._user = user
        self.request = request
        self.request_id = request_id or uuid.uuid4().hex
        self.source = source
        self.address = address

    @property
    def user(self):
        # Read from the request at the time of the change: DRF authenticates tokens after middleware.
        if self.request is not None:
            return getattr(self.request, "user", None)
        return self._user


_current: ContextVar[ActionContext | None] = ContextVar("kythuat_action_context", default=None)


def current() -> ActionContext:
    return _current.get() or ActionContext()


@contextmanager
def acting_as(user):
    """Make ``user`` the actor of the changes in the block unless a request already names one
    (services called from commands, tasks or tests)."""
    ctx = current()
    if getattr(ctx.user, "is_authenticated", False):
        yield ctx
        return
    token = _current.set(ActionContext(user=user, request_id=ctx.request_id, source=ctx.source,
                                       address=ctx.address))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


@contextmanager
def acting(**kwargs):
    """Run a block as a given user/source; management commands and tasks use this."""
    token = _current.set(ActionContext(**kwargs))
    try:
        yield _current.get()
    finally:
        _current.reset(token)
