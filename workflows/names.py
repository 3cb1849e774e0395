"""Names shared by the workflow, the worker, the command line and the tests: defined once."""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

TASK_QUEUE = "ovop-nominations"

# Search attributes are stored in clear text: none of them carries personal data.
STAGE = SearchAttributeKey.for_keyword("OvopStage")
CYCLE = SearchAttributeKey.for_keyword("OvopCycle")
COMMODITY = SearchAttributeKey.for_keyword("OvopCommodity")
PROVINCE = SearchAttributeKey.for_keyword("OvopProvince")
REGENCY = SearchAttributeKey.for_keyword("OvopRegency")
LAB = SearchAttributeKey.for_keyword("OvopLab")
DEADLINE = SearchAttributeKey.for_datetime("OvopDeadline")
SCORE = SearchAttributeKey.for_float("OvopScore")
STARS = SearchAttributeKey.for_int("OvopStars")

SEARCH_ATTRIBUTES = (STAGE, CYCLE, COMMODITY, PROVINCE, REGENCY, LAB, DEADLINE, SCORE, STARS)

# The workflow type operators name in the Web UI's Start Workflow form and in
# `temporal workflow start --type`: part of the documented interface, never renamed.
PROPOSE_NOMINATION = "ProposeNomination"
