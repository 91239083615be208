"""Virtual clinical trials, staging, statistics, Dask execution, validation, calibration."""

from follicle.trials.run import TrialResult, run_trial
from follicle.trials.trial_file import Trial, load_trial, parse_trial

__all__ = ["Trial", "TrialResult", "load_trial", "parse_trial", "run_trial"]
