"""Refusals of the privacy budget: each is a 409 problem with its own type, so a client can
tell "set a budget first" from "the budget is spent"."""

from bastion.errors import Conflict


class NoBudget(Conflict):
    """The dataset has no privacy budget yet: no query may run on it."""

    title = "No privacy budget"
    slug = "privacy-budget-not-set"


class BudgetExceeded(Conflict):
    """The query would spend more than what is left of the dataset's budget."""

    title = "Privacy budget exceeded"
    slug = "privacy-budget-exceeded"


class BudgetBelowSpent(Conflict):
    """A budget may not be set below what the dataset's queries have already spent."""

    title = "Privacy budget below what was spent"
    slug = "privacy-budget-below-spent"
