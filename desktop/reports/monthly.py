"""The monthly maintenance report as a PDF (DESIGN §5), from a ``MonthlyReport``."""
from __future__ import annotations

import os

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from desktop.services.report_data import (CATEGORY_LABELS, OUTCOME_LABELS, STATUS_LABELS,
                                          hours_text)
from desktop.services.report_monthly import MonthlyReport

from . import common as c

TITLE = "Monthly maintenance report"


def meta_for(report: MonthlyReport) -> c.ReportMeta:
    return c.ReportMeta(TITLE, report.client.name, report.period.label, report.branding,
                        report.emergency_line)


def build_monthly(report: MonthlyReport, path: str | os.PathLike) -> None:
    """Write the report to ``path`` (the caller makes that atomic)."""
    c.register_fonts()
    meta = meta_for(report)
    story: list[Flowable] = c.cover(meta, _cover_lines(report))
    story += _at_a_glance(report)
    story += _summary(report)
    story += _incidents(report)
    story += _maintenance(report)
    story += _tickets(report)
    story += _content(report)
    story += _risks_and_next(report)
    c.build_pdf(path, meta, story)


def _cover_lines(report: MonthlyReport) -> list[str]:
    lines = []
    if report.client.website:
        lines.append(report.client.website)
    if report.contract:
        k = report.contract
        lines.append(f"{k.tier_name} support · contract {c.day(k.start)} – {c.day(k.end)}")
    else:
        lines.append("No support contract in force this month")
    if report.client.report_contacts:
        lines.append("Prepared for " + ", ".join(name for name, _ in report.client.report_contacts))
    lines.append(f"Prepared by {report.branding.agency_name} on {c.day(report.generated_at)}")
    return lines


def _at_a_glance(report: MonthlyReport) -> list[Flowable]:
    f = report.figures
    if f.content_allowance_minutes:
        content = (f"{_hours(f.content_used_minutes)} of {_hours(f.content_allowance_minutes)}",
                   "Content hours used of allowance")
    elif f.content_used_minutes:
        content = (_hours(f.content_used_minutes), "Content hours (not in your plan)")
    else:
        content = ("None", "Content hours (not in your plan)")
    backups = (f"{f.backups_verified} of {f.backup_checks}" if f.backup_checks else "–")
    updates_label = "Updates applied" + (f" · {f.updates_held_back} held back"
                                         if f.updates_held_back else "")
    items = [
        (str(f.tickets_opened), "Tickets opened"),
        (str(f.tickets_resolved), "Tickets resolved"),
        (c.percent(f.sla_met_percent), "Resolved tickets within SLA"),
        (c.percent(f.uptime_percent, 2), "Uptime"),
        (str(f.updates_applied), updates_label),
        (backups, "Backups verified (restore tested)"),
        content,
    ]
    if report.contract and report.contract.monthly_fee:
        items.append((c.money(report.contract.monthly_fee, report.contract.currency),
                      f"{report.contract.tier_name} plan, per month"))
    elif report.contract:
        items.append(("Included", f"{report.contract.tier_name} support, "
                                  f"until {c.day(report.contract.end)}"))
    story: list[Flowable] = c.heading(f"{report.period.label} at a glance")
    story += [c.status_banner(report.status_line, report.status_level), Spacer(1, 4 * mm),
              c.tiles(items, columns=4)]
    notes = []
    if f.sla_met_percent is None:
        notes.append("No ticket was resolved this month, so there is no SLA figure.")
    if f.uptime_percent is None and report.contract and report.contract.tier in (
            "warranty", "basic"):
        notes.append("Uptime reviews are part of the Standard and Premium plans.")
    elif f.uptime_percent is None:
        notes.append("Uptime was not measured this month.")
    story += [c.para(n, "muted") for n in notes]
    return story


def _hours(minutes: int) -> str:
    """Hours for a tile: ``270`` → ``4.5 h``."""
    return f"{minutes / 60:.1f}".rstrip("0").rstrip(".") + " h"


def _summary(report: MonthlyReport) -> list[Flowable]:
    story = c.heading("Summary from your support manager")
    if report.summary.strip():
        story += [c.para(block.strip()) for block in report.summary.split("\n\n") if block.strip()]
    else:
        story.append(c.empty("No summary was written for this month."))
    return story


def _incidents(report: MonthlyReport) -> list[Flowable]:
    story = c.heading("Incidents")
    if not report.incidents:
        story.append(c.empty("No incidents this month: no critical or high-priority issue "
                             "was reported."))
        return story
    rows = []
    for incident in report.incidents:
        t = incident.ticket
        outcome = (f"Resolved {c.day_time(t.resolved_at)}" if t.resolved_at
                   else STATUS_LABELS.get(t.status, t.status))
        what = c.markup(f"<b>#{t.number} {c.esc(t.title)}</b>"
                        + (f"<br/>{c.esc(incident.resolution_note)}"
                           if incident.resolution_note else ""), "cell")
        rows.append([c.day_time(t.created_at), c.priority_chip(t.priority), what, outcome,
                     c.state_chip(t.resolution_state)])
    # a timeline: each incident marked by its priority's colour down the left edge
    marks = [("LINEBEFORE", (0, row), (0, row), 3, c.colors.HexColor(
        c.PRIORITY_COLOURS.get(incident.ticket.priority, "#616e7c")))
        for row, incident in enumerate(report.incidents, start=1)]
    story.append(c.data_table(["Reported", "Priority", "What happened", "Outcome", "On time"],
                              rows, [28 * mm, 20 * mm, 74 * mm, 32 * mm, 20 * mm], extra=marks))
    return story


def _maintenance(report: MonthlyReport) -> list[Flowable]:
    story = c.heading("Maintenance")
    if not report.maintenance:
        story.append(c.empty("No maintenance was scheduled this month."))
        return story
    rows = []
    for m in report.maintenance:
        if m.done_at is None and m.outcome != "skipped":
            outcome = c.markup('<font color="#c62828">Not done yet</font>', "cell")
        else:
            colour = {"ok": "#2e7d32", "issues_found": "#ef6c00",
                      "skipped": "#616e7c"}.get(m.outcome or "", "#1f2933")
            outcome = c.markup(f'<font color="{colour}">'
                               f'{c.esc(OUTCOME_LABELS.get(m.outcome or "ok", m.outcome))}'
                               f'</font>', "cell")
        parts = [c.esc(line) for line in m.details]
        if m.notes:
            parts.append(f"<i>{c.esc(m.notes)}</i>")
        details = c.markup("<br/>".join(parts) if parts else "–", "cell")
        done = c.day(m.done_at) + (f"\n{m.done_by}" if m.done_by and m.done_at else "")
        rows.append([c.day(m.due), c.para(m.name, "cell_bold"), outcome, done, details])
    story.append(c.data_table(["Due", "Task", "Outcome", "Done", "Figures and notes"], rows,
                              [22 * mm, 33 * mm, 22 * mm, 24 * mm, 73 * mm]))
    return story


def _tickets(report: MonthlyReport) -> list[Flowable]:
    story = c.heading("Support tickets")
    if not report.tickets:
        story.append(c.empty("No support tickets were opened or resolved this month."))
        return story
    rows = []
    for t in report.tickets:
        title = c.markup(f"{c.esc(t.title)}<br/><font color='#616e7c'>"
                         f"{c.esc(CATEGORY_LABELS.get(t.category, t.category))}"
                         f"{'' if t.in_scope else ' · billable'}</font>", "cell")
        rows.append([f"#{t.number}", title, c.priority_chip(t.priority), c.day(t.created_at),
                     c.day(t.resolved_at) if t.resolved_at else STATUS_LABELS.get(t.status, ""),
                     c.state_chip(t.response_state), c.state_chip(t.resolution_state)])
    story.append(c.data_table(
        ["Ticket", "Title", "Priority", "Opened", "Resolved", "Response", "Resolution"], rows,
        [14 * mm, 52 * mm, 19 * mm, 22 * mm, 22 * mm, 20 * mm, 25 * mm]))
    story.append(Spacer(1, 2 * mm))
    story.append(c.para("Response and resolution are measured against your plan's targets on "
                        "its SLA clock (business hours Monday–Friday, or around the clock for "
                        "critical issues on Premium); time waiting on your reply is not "
                        "counted.", "muted"))
    return story


def _content(report: MonthlyReport) -> list[Flowable]:
    story = c.heading("Content hours and billable work")
    content = report.content
    if content.allowance_minutes and content.over_minutes:
        text = (f"Content updates took {hours_text(content.used_minutes)} against your "
                f"{hours_text(content.allowance_minutes)} monthly allowance: "
                f"{hours_text(content.over_minutes)} over, billable as listed below.")
    elif content.allowance_minutes:
        left = max(0, content.allowance_minutes - content.used_minutes)
        text = (f"Content updates used {hours_text(content.used_minutes)} of your "
                f"{hours_text(content.allowance_minutes)} monthly allowance"
                + (f"; {hours_text(left)} remained unused." if left else "."))
    elif content.used_minutes:
        text = (f"Content updates took {hours_text(content.used_minutes)}; your plan has no "
                f"content allowance.")
    else:
        text = "Your plan has no content-update allowance, and none was used."
    story.append(c.para(text))
    if not content.billable:
        story.append(c.empty("No billable work this month."))
        return story
    rows = [[f"#{b.ticket_number}", b.title, b.reason, hours_text(b.minutes)]
            for b in content.billable]
    story.append(c.data_table(["Ticket", "Work", "Why it is billable", "Time"], rows,
                              [16 * mm, 70 * mm, 68 * mm, 20 * mm], right=(3,)))
    story.append(c.para(f"Billable time this month: {hours_text(content.billable_minutes)}.",
                        "cell_bold"))
    return story


def _risks_and_next(report: MonthlyReport) -> list[Flowable]:
    story = c.heading("Risks and next month")
    story += c.heading("Things to watch", level=2)
    if report.risks:
        story += c.bullets(report.risks)
    else:
        story.append(c.empty("Nothing needs your attention this month."))
    title = c.heading(f"Scheduled for {report.period.next().label}", level=2)
    if report.next_tasks:
        rows = [[c.day(t.due), t.name, t.cadence.capitalize()] for t in report.next_tasks]
        table = c.data_table(["Due", "Task", "Cadence"], rows, [30 * mm, 100 * mm, 44 * mm])
        if len(rows) <= 25:
            story.append(KeepTogether(title + [table]))
        else:
            story += title + [table]
    else:
        story += title + [c.empty("No maintenance is scheduled for next month yet.")]
    return story
