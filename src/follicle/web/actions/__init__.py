"""Requests -> library calls, shared by the pages and the API (the web layer only
translates, as the command line does). Every function raises ``FollicleInputError`` or
``FollicleFileError`` on bad input; the routes turn those into a message and a 4xx.
One module per face; everything is re-exported here (``actions.log_entry``)."""

from follicle.web.actions.expect import MAX_FUTURES, MAX_YEARS, projection
from follicle.web.actions.forms import clean_message, number_field, text_field, toml_dict
from follicle.web.actions.journal import (
    amend_entry,
    details_from_form,
    export_journal,
    history,
    import_journal,
    list_entries,
    log_entry,
    stats,
    void_entry,
)
from follicle.web.actions.measure import (
    MAX_IMAGES,
    analyze_stored,
    analyze_upload,
    analyze_uploads,
    correct_uploads,
    measure_table_upload,
    visit_report_upload,
)
from follicle.web.actions.plan import check_plan_text, plan_calendar_text, plan_models
from follicle.web.actions.trials import (
    MAX_TRIAL_PER_ARM,
    MAX_VALIDATE_PER_ARM,
    parse_trial_text,
    parse_validate_options,
    run_trial_job,
    run_validate_job,
)
from follicle.web.actions.visits import (
    compare_saved_visits,
    comparison_report_file,
    list_visits,
    save_analysed_visit,
    save_visit,
    saved_visit,
    visit_report_file,
    visit_to_correct,
)

__all__ = [
    "MAX_FUTURES",
    "MAX_IMAGES",
    "MAX_TRIAL_PER_ARM",
    "MAX_VALIDATE_PER_ARM",
    "MAX_YEARS",
    "amend_entry",
    "analyze_stored",
    "analyze_upload",
    "analyze_uploads",
    "check_plan_text",
    "clean_message",
    "compare_saved_visits",
    "comparison_report_file",
    "correct_uploads",
    "details_from_form",
    "export_journal",
    "history",
    "import_journal",
    "list_entries",
    "list_visits",
    "log_entry",
    "measure_table_upload",
    "number_field",
    "parse_trial_text",
    "parse_validate_options",
    "plan_calendar_text",
    "plan_models",
    "projection",
    "run_trial_job",
    "run_validate_job",
    "save_analysed_visit",
    "save_visit",
    "saved_visit",
    "stats",
    "text_field",
    "toml_dict",
    "visit_report_file",
    "visit_report_upload",
    "visit_to_correct",
    "void_entry",
]
