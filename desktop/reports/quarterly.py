"""The quarterly review as a PDF (DESIGN §5), from a ``QuarterlyReport``."""
from __future__ import annotations

import math
import os

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from desktop.services.report_data import CATEGORY_LABELS, PRIORITY_LABELS, hours_text
from desktop.services.report_quarterly import QuarterlyReport

from . import charts
from . import common as c

TITLE = "Quarterly review"
SATISFACTION_COMMENTS = 12
BREACH_ROWS = 300  # beyond this the list is summarised: a review is read, not searched
TREND_MARKS = {"better": ("▲ better", "#2e7d32"), "worse": ("▼ worse", "#c62828"),
               "same": ("= same", "#616e7c")}


def meta_for(report: QuarterlyReport) -> c.ReportMeta:
    return c.ReportMeta(TITLE, report.client.name, report.period.label, report.branding,
                        report.emergency_line)


def build_quarterly(report: QuarterlyReport, path: str | os.PathLike) -> None:
    """Write the review to ``path`` (the caller makes that atomic)."""
    c.register_fonts()
    meta = meta_for(report)
    story: list[Flowable] = c.cover(meta, _cover_lines(report))
    for section in (_summary, _tickets, _compliance, _breaches, _categories, _content, _trend,
                    _maintenance, _satisfaction, _critical, _recommendations, _contract, _plan):
        story += section(report)
    c.build_pdf(path, meta, story)


def _cover_lines(report: QuarterlyReport) -> list[str]:
    lines = [report.period.long_label.split("(", 1)[-1].rstrip(")")]
    if report.client.website:
        lines.append(report.client.website)
    if report.contract:
        k = report.contract
        lines.append(f"{k.tier_name} support · contract {c.day(k.start)} – {c.day(k.end)}")
    if report.client.report_contacts:
        lines.append("Prepared for " + ", ".join(n for n, _ in report.client.report_contacts))
    lines.append(f"Prepared by {report.branding.agency_name} on {c.day(report.generated_at)}")
    return lines


def _summary(report: QuarterlyReport) -> list[Flowable]:
    story = c.heading("The quarter in brief")
    story.append(c.para(report.headline))
    rows = []
    for comparison in report.comparisons:
        label, colour = TREND_MARKS.get(comparison.trend, ("", "#616e7c"))
        rows.append([c.para(comparison.label, "cell_bold"), comparison.current,
                     comparison.previous,
                     c.markup(f'<font color="{colour}">{c.esc(label)}</font>', "cell")])
    story.append(c.data_table(
        ["Measure", report.period.label, f"{report.previous_period.label} (before)", "Trend"],
        rows, [58 * mm, 42 * mm, 44 * mm, 30 * mm]))
    return story


def _tickets(report: QuarterlyReport) -> list[Flowable]:
    story = c.heading("Tickets")
    bars = charts.tickets_per_month(report.month_labels, report.tickets_by_month)
    pie = charts.priority_share(report.priority_share)
    if bars is None or pie is None:
        story.append(c.empty("No support tickets were opened this quarter."))
        return story
    story.append(c.side_by_side(bars, pie, split=0.56))
    rows = [[label] + [str(month.get(p, 0)) for p in PRIORITY_LABELS]
            + [str(sum(month.values()))]
            for label, month in zip(report.month_labels, report.tickets_by_month)]
    story.append(Spacer(1, 2 * mm))
    story.append(c.data_table(["Month"] + list(PRIORITY_LABELS.values()) + ["Total"], rows,
                              [44 * mm, 26 * mm, 26 * mm, 26 * mm, 26 * mm, 26 * mm],
                              right=(1, 2, 3, 4, 5)))
    return story


def _compliance(report: QuarterlyReport) -> list[Flowable]:
    story = c.heading("SLA compliance by priority")
    if not any(row.tickets for row in report.compliance):
        story.append(c.empty("No ticket was resolved this quarter, so there are no SLA "
                             "figures."))
        return story
    rows = []
    for row in report.compliance:
        if not row.tickets:
            rows.append([c.priority_chip(row.priority), "0", "–", "–", "–"])
            continue
        rows.append([c.priority_chip(row.priority), str(row.tickets), c.percent(row.met_percent),
                     hours_text(row.median_response_minutes),
                     hours_text(row.median_resolution_minutes)])
    story.append(c.data_table(["Priority", "Resolved", "SLA met", "Median first response",
                               "Median resolution"], rows,
                              [34 * mm, 24 * mm, 28 * mm, 44 * mm, 44 * mm],
                              right=(1, 2, 3, 4)))
    story.append(c.para("Over the tickets resolved this quarter: “SLA met” means both the first "
                        "response and the resolution were on time. Times are measured on each "
                        "ticket's SLA clock: business hours (Mon–Fri) or around the clock for "
                        "Premium critical issues; waiting on your reply is not counted.",
                        "muted"))
    return story


def _breaches(report: QuarterlyReport) -> list[Flowable]:
    story = c.heading("Missed targets", level=2)
    if not report.breaches:
        story.append(c.empty("No SLA target was missed this quarter."))
        return story
    shown = report.breaches[:BREACH_ROWS]
    rows = [[f"#{b.ticket_number}", b.title, c.priority_chip(b.priority),
             b.clock, b.cause] for b in shown]
    story.append(c.data_table(["Ticket", "Title", "Priority", "Target", "Cause"], rows,
                              [15 * mm, 58 * mm, 21 * mm, 20 * mm, 60 * mm]))
    if len(report.breaches) > len(shown):
        story.append(c.para(f"…and {len(report.breaches) - len(shown)} more; ask us for the "
                            f"full list.", "muted"))
    return story


def _categories(report: QuarterlyReport) -> list[Flowable]:
    story = c.heading("What the tickets were about", level=2)
    if not report.categories:
        story.append(c.empty("No tickets this quarter."))
        return story
    total = sum(row.tickets for row in report.categories) or 1
    rows = [[CATEGORY_LABELS.get(row.category, row.category), str(row.tickets),
             f"{100 * row.tickets / total:.0f}%",
             str(row.out_of_scope) if row.out_of_scope else "–"] for row in report.categories]
    story.append(c.data_table(["Category", "Tickets", "Share", "Outside your plan"], rows,
                              [70 * mm, 30 * mm, 30 * mm, 44 * mm], right=(1, 2, 3)))
    return story


def _content(report: QuarterlyReport) -> list[Flowable]:
    story = c.heading("Content hours")
    months = report.content_by_month
    chart = charts.content_hours([m.label for m in months], [m.used_minutes / 60 for m in months],
                                 [m.allowance_minutes / 60 for m in months],
                                 width=c.CONTENT_WIDTH, height=160)
    if chart is None:
        story.append(c.empty("Your plan has no content-update allowance and none was used."))
        return story
    rows = [[m.label, hours_text(m.used_minutes), hours_text(m.allowance_minutes),
             hours_text(m.billable_minutes) if m.billable_minutes else "–"] for m in months]
    table = c.data_table(["Month", "Content updates", "Allowance", "Billable work"], rows,
                         [44 * mm, 43 * mm, 43 * mm, 44 * mm], right=(1, 2, 3))
    note = c.para("Billable work is content beyond the allowance plus any work outside your "
                  "plan.", "muted")
    if not any(m.allowance_minutes for m in months):
        used = sum(m.used_minutes for m in months)
        story.append(c.para(f"Content updates are not part of your plan; the "
                            f"{hours_text(used)} of content work this quarter was billable."))
        return [KeepTogether(story + [table, note])]
    return [KeepTogether(story + [chart, table, note])]


def _trend(report: QuarterlyReport) -> list[Flowable]:
    story = c.heading("Uptime and performance", level=1)
    labels = [p.label for p in report.trend]
    uptimes = [p.uptime_percent for p in report.trend]
    present = [u for u in uptimes if u is not None]
    low = max(0.0, math.floor(min(present)) - 1.0) if present else 0.0
    uptime = charts.trend(labels, uptimes, "Uptime, last six months (%)", "%", low=low,
                          high=100)
    score = charts.trend(labels, [p.performance_score for p in report.trend],
                         "Performance score, last six months", "", low=0, high=100, colour=c.ACCENT)
    if uptime is None and score is None:
        if report.contract and report.contract.tier in ("warranty", "basic"):
            story.append(c.empty("Uptime and performance reviews are part of the Standard and "
                                 "Premium plans."))
        else:
            story.append(c.empty("Uptime and performance were not measured this quarter or "
                                 "the one before."))
        return story
    left = uptime or c.empty("Uptime was not measured.")
    right = score or c.empty("Performance was not measured.")
    story.append(c.side_by_side(left, right))
    return story


def _maintenance(report: QuarterlyReport) -> list[Flowable]:
    story = c.heading("Maintenance completed")
    if not report.completion:
        story.append(c.empty("No maintenance was scheduled this quarter."))
        return story
    rows = [[row.cadence.capitalize(), str(row.due), str(row.done), str(row.skipped),
             str(row.open), c.percent(row.percent, 0)] for row in report.completion]
    rows.append([c.para("All tasks", "cell_bold"), str(sum(r.due for r in report.completion)),
                 str(sum(r.done for r in report.completion)),
                 str(sum(r.skipped for r in report.completion)),
                 str(sum(r.open for r in report.completion)),
                 c.percent(report.completion_percent, 0)])
    story.append(c.data_table(["Cadence", "Scheduled", "Done", "Skipped", "Not done",
                               "Completed"], rows,
                              [44 * mm, 26 * mm, 26 * mm, 26 * mm, 26 * mm, 26 * mm],
                              right=(1, 2, 3, 4, 5)))
    issues = [m for m in report.maintenance if m.outcome == "issues_found"]
    if issues:
        story += c.heading("Issues found during maintenance", level=2)
        story.append(c.data_table(
            ["Due", "Task", "What we found and did"],
            [[c.day(m.due), m.name, "\n".join(list(m.details) + ([m.notes] if m.notes else []))]
             for m in issues], [26 * mm, 44 * mm, 104 * mm]))
    return story


def _satisfaction(report: QuarterlyReport) -> list[Flowable]:
    story = c.heading("Your satisfaction ratings", level=2)
    if not report.ratings:
        story.append(c.empty("No satisfaction ratings were given this quarter."))
        return story
    average = report.average_rating or 0
    stars = "★" * round(average) + "☆" * (5 - round(average))
    counts = {score: sum(1 for _, r, _ in report.ratings if r == score) for score in range(1, 6)}
    spread = " · ".join(f"{score}★ {counts[score]}" for score in range(5, 0, -1))
    story.append(c.markup(f'<font color="#ef6c00" size="13">{stars}</font>  '
                          f'<b>{average:.1f} / 5</b> from {len(report.ratings)} '
                          f'rating{"s" if len(report.ratings) != 1 else ""} '
                          f'<font color="#616e7c">({spread})</font>', "body"))
    # What needs attention first: the lowest ratings with a comment, then the rest.
    comments = sorted(((r, n, text) for n, r, text in report.ratings if text.strip()),
                      key=lambda item: (item[0], item[1]))
    shown = comments[:SATISFACTION_COMMENTS]
    if shown:
        story.append(c.data_table(["Ticket", "Rating", "Comment"],
                                  [[f"#{n}", f"{r} / 5", text] for r, n, text in shown],
                                  [18 * mm, 18 * mm, 138 * mm]))
    if len(comments) > len(shown):
        story.append(c.para(f"Showing the {len(shown)} lowest-rated of {len(comments)} "
                            f"comments.", "muted"))
    return story


def _critical(report: QuarterlyReport) -> list[Flowable]:
    story = c.heading("Critical incidents and root causes")
    if not report.critical_incidents:
        story.append(c.empty("No critical incidents this quarter."))
        return story
    rows = []
    for incident in report.critical_incidents:
        t = incident.ticket
        duration = (hours_text(t.resolution_minutes) if t.resolution_minutes is not None
                    else "still open")
        rows.append([c.day_time(t.created_at), c.para(f"#{t.number} {t.title}", "cell_bold"),
                     duration, incident.root_cause or "Not recorded"])
        rows[-1][2] = c.para(duration, "cell")
    story.append(c.data_table(["Reported", "Incident", "Time to fix", "Root cause and fix"],
                              rows, [28 * mm, 52 * mm, 22 * mm, 72 * mm]))
    return story


def _recommendations(report: QuarterlyReport) -> list[Flowable]:
    story = c.heading("Our recommendations")
    if report.recommendations.strip():
        story += [c.para(block.strip()) for block in report.recommendations.split("\n\n")
                  if block.strip()]
    else:
        story.append(c.empty("No recommendations were written for this quarter."))
    return story


def _contract(report: QuarterlyReport) -> list[Flowable]:
    story = c.heading("Your contract", level=2)
    k = report.contract
    if k is None:
        story.append(c.empty("There is no support contract in force for this quarter."))
        return story
    if k.days_to_end < 0:
        status = f"Ended on {c.day(k.end)}"
    elif k.days_to_end <= 90:
        status = f"Renewal due: ends {c.day(k.end)}, {k.days_to_end} days after this quarter"
    else:
        status = f"Active until {c.day(k.end)}"
    rows = [["Plan", f"{k.tier_name} support"],
            ["Monthly fee", c.money(k.monthly_fee, k.currency)],
            ["Period", f"{c.day(k.start)} – {c.day(k.end)}"],
            ["Status", status],
            ["Renewal date", c.day(k.renewal_date)],
            ["Content allowance", hours_text(k.content_minutes_allowance) + " per month"
             if k.content_minutes_allowance else "Not included"]]
    story.append(KeepTogether(c.data_table(["Contract", "Details"], rows, [50 * mm, 124 * mm])))
    return story


def _plan(report: QuarterlyReport) -> list[Flowable]:
    story = c.heading(f"Plan for {report.period.next().label}")
    if report.monthly_tasks_next_quarter:
        story.append(c.para(f"Routine monthly maintenance continues: "
                            f"{report.monthly_tasks_next_quarter} tasks across the quarter "
                            f"(updates, backups, scans and checks)."))
    if report.plan:
        rows = [[c.day(t.due), t.name, t.cadence.capitalize()] for t in report.plan]
        story.append(c.data_table(["Due", "Task", "Cadence"], rows, [30 * mm, 100 * mm, 44 * mm]))
    elif not report.monthly_tasks_next_quarter:
        story.append(c.empty("Nothing is scheduled for next quarter yet."))
    return story
