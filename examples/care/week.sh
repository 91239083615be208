#!/bin/sh
# A week of journal entries for the plan in plan-fixed.toml (docs/care.md).
# Usage: sh examples/care/week.sh [JOURNAL.sqlite3]   (default: ./journal.sqlite3)
set -e
DB="${1:-journal.sqlite3}"
J="follicle journal log"
O="--db $DB --tz Europe/London"

# Monday 2 March: day 0
$J application finasteride --dose-mg 1 --at 2026-03-02T08:05 $O
$J application minoxidil --concentration-percent 5 --at 2026-03-02T08:06 $O
$J application minoxidil --concentration-percent 5 --at 2026-03-02T20:00 $O
$J session --needle-mm 0.5 --duration-minutes 12 --device roller-05 --region vertex \
    --region frontal --at 2026-03-02T20:30 $O
# Tuesday: the calendar skips minoxidil for 24 hours after the session (MN-7)
$J application finasteride --dose-mg 1 --at 2026-03-03T08:00 $O
$J symptom redness --severity mild --note "like sunburn" --at 2026-03-03T08:30 $O
# Wednesday
$J application finasteride --dose-mg 1 --at 2026-03-04T08:10 $O
$J application minoxidil --concentration-percent 5 --at 2026-03-04T08:11 $O
$J application minoxidil --concentration-percent 5 --at 2026-03-04T20:05 $O
# Thursday: the evening minoxidil is forgotten
$J application finasteride --dose-mg 1 --at 2026-03-05T07:55 $O
$J application minoxidil --concentration-percent 5 --at 2026-03-05T07:56 $O
# Friday
$J application finasteride --dose-mg 1 --at 2026-03-06T08:00 $O
$J application minoxidil --concentration-percent 5 --at 2026-03-06T08:01 $O
$J application minoxidil --concentration-percent 5 --at 2026-03-06T21:30 $O
# Saturday
$J application finasteride --dose-mg 1 --at 2026-03-07T09:15 $O
$J application minoxidil --concentration-percent 5 --at 2026-03-07T09:16 $O
$J application minoxidil --concentration-percent 5 --at 2026-03-07T20:00 $O
# Sunday: counts from `follicle measure`, typed in
$J application finasteride --dose-mg 1 --at 2026-03-08T08:00 $O
$J application minoxidil --concentration-percent 5 --at 2026-03-08T08:01 $O
$J application minoxidil --concentration-percent 5 --at 2026-03-08T20:00 $O
$J measurement --metric density_per_cm2=164 --metric vellus_share=0.27 \
    --metric mean_diameter_um=61 --region vertex --at 2026-03-08T10:00 $O
