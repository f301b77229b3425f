"""What maintenance adds to pages of other apps: the item page and the reminders on the home page."""

from django.urls import reverse

from kythuat.core.roles import Perm
from kythuat.core.scoping import scope_for

from .choices import FaultStatus
from .models import Fault, Schedule, UsageLog
from .selectors import reminders


def item_panel(request, item) -> dict:
    """Regimes and their due dates, open faults, recent work and usage of an item (its page)."""
    user = request.user
    may_log = scope_for(user).allows(Perm.LOG_WORK, item.unit_id) and item.usage_state != "struck_off"
    return {
        "item": item,
        "schedules": Schedule.objects.filter(item=item, active=True).select_related("rule").order_by(
            "next_due_on", "id"),
        "work_lines": item.work_lines.select_related("work_order").order_by("-work_order__planned_start", "-id")[:15],
        "usage": UsageLog.objects.filter(item=item).order_by("-date", "-id")[:10],
        "faults": Fault.objects.filter(item=item).select_related("work_order").order_by("-reported_on", "-id")[:15],
        "open_faults": Fault.objects.filter(item=item, status=FaultStatus.OPEN).count(),
        "may_log": may_log,
        "fault_url": f"{reverse('maintenance:fault_add')}?item={item.pk}",
        "usage_url": f"{reverse('maintenance:usagelog_add')}?item={item.pk}",
        "work_url": f"{reverse('maintenance:workorder_add')}?items={item.pk}",
    }


def home_panel(request) -> dict | None:
    """What the user's units have overdue and due, as computed by the day's maintenance task."""
    rows = reminders(request.user)
    return {"reminders": rows, "due_url": reverse("maintenance:schedule_list")} if rows else None
